"""A mini-program team can generate a typed client from /miniapp/openapi.json: openapi-typescript
turns the document into types and tsc checks, against them, a script that logs in, verifies,
accepts an invitation and walks a guided filing (tests/contract/typescript/client.ts)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "typescript"
BIN = PROJECT / "node_modules" / ".bin"
STEP_TIMEOUT_SECONDS = 180


@pytest.fixture
def toolchain() -> Path:
    if not (BIN / "tsc").exists() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("the TypeScript toolchain is missing: run `npm ci --prefix tests/contract/typescript`")
        pytest.skip("run `npm ci --prefix tests/contract/typescript` to check the generated TypeScript client")
    return BIN


def _type_check(client, tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    document = tmp_path / "miniapp-openapi.json"
    document.write_text(json.dumps(client.get("/miniapp/openapi.json").json, ensure_ascii=False), encoding="utf-8")
    generated = subprocess.run(
        [str(BIN / "openapi-typescript"), str(document), "-o", str(tmp_path / "api.d.ts")],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    (tmp_path / "client.ts").write_text(script, encoding="utf-8")
    shutil.copy(PROJECT / "tsconfig.json", tmp_path / "tsconfig.json")
    (tmp_path / "node_modules").symlink_to(PROJECT / "node_modules")
    return subprocess.run(
        [str(BIN / "tsc"), "-p", str(tmp_path / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )


def test_the_walk_type_checks_against_the_generated_client(client, toolchain, tmp_path):
    checked = _type_check(client, tmp_path, (PROJECT / "client.ts").read_text(encoding="utf-8"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_script_breaking_the_contract_does_not_type_check(client, toolchain, tmp_path):
    script = (PROJECT / "client.ts").read_text(encoding="utf-8")
    broken = script.replace("body: { code: wxLoginCode }", "body: { code: 12345 }").replace(
        '"/miniapp/v1/invitations/preview"', '"/miniapp/v1/invitations/peek"'
    )
    assert broken != script
    checked = _type_check(client, tmp_path, broken)
    assert checked.returncode != 0
    assert "client.ts" in checked.stdout and "peek" in checked.stdout


def test_a_section_value_of_the_wrong_type_does_not_type_check(client, toolchain, tmp_path):
    script = (PROJECT / "client.ts").read_text(encoding="utf-8")
    broken = script.replace('established_on: "2008-05-20"', "established_on: 20080520")
    assert broken != script
    checked = _type_check(client, tmp_path, broken)
    assert checked.returncode != 0 and "client.ts" in checked.stdout, checked.stdout
