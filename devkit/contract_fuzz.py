"""Schemathesis against both OpenAPI documents, authenticated, bounded: the contract checked
from outside as a client generator or a fuzzer sees it.

Starts the WeChat and registry stand-ins and the app (a fresh SQLite file unless DATABASE_URL
is given) on loopback ports, logs in an enterprise with a dev-CA certificate and a WeChat user
through the stand-in, then runs ``schemathesis run --checks all`` on each document with that
user's bearer token, a fixed seed and a bounded number of examples per operation.

    python -m devkit.contract_fuzz [--max-examples 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from devkit.dev_ca import create_dev_ca, issue_enterprise_certificate, sign_nonce
from devkit.emulators.registry import RegistryStandIn
from devkit.emulators.wechat import WeChatEmulator
from entryfiling.app import create_app
from entryfiling.config import load_settings
from entryfiling.db.session import upgrade_database

DEMO_USCC = "91340100MA2N0DT108"
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Per request; a request over it fails the run rather than hanging it.
REQUEST_TIMEOUT_SECONDS = 20


def _serve(app: Flask) -> tuple[str, BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="contract-fuzz-app", daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _enterprise_token(base: str, ca_dir: Path, certs: Path) -> str:
    cert, key = issue_enterprise_certificate(ca_dir, certs, enterprise_name="安徽德拓建设工程有限公司", uscc=DEMO_USCC)
    nonce = requests.post(f"{base}/api/v1/auth/challenge", timeout=10).json()["nonce"]
    body = {"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(key, nonce)}
    answer = requests.post(f"{base}/api/v1/auth/login", json=body, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _miniapp_token(base: str, wechat: WeChatEmulator) -> str:
    code = requests.post(f"{wechat.url}/__emulator__/login", json={"openid": "o-contract-fuzz"}, timeout=10).json()
    answer = requests.post(f"{base}/miniapp/v1/login", json={"code": code["code"]}, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _schemathesis(document_url: str, token: str, max_examples: int, seed: int, report: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        document_url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        # Logging out would end the one session every other request is made with.
        "--exclude-path-regex",
        r".*/logout$",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--generation-deterministic",
        "--request-timeout",
        str(REQUEST_TIMEOUT_SECONDS),
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    return subprocess.run(command, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="contract-fuzz-") as work:
        root = Path(work)
        wechat = WeChatEmulator()
        wechat.start("127.0.0.1", 0)
        registry = RegistryStandIn().start()
        ca_dir = root / "dev-ca"
        create_dev_ca(ca_dir)
        env = {
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{root / 'fuzz.sqlite3'}",
            "STORAGE_DIR": str(root / "attachments"),
            "CA_TRUST_BUNDLE": str(ca_dir / "ca.pem"),
            "WECHAT_API_BASE_URL": wechat.url,
            "REGISTRY_API_BASE_URL": registry.url,
        }
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        settings = load_settings(env, instance_path=root / "instance")
        upgrade_database(settings.database_url)
        app = create_app(settings)
        # Thousands of requests: the report says what matters, not one log line per request.
        for name in ("werkzeug", "entryfiling"):
            logging.getLogger(name).setLevel(logging.WARNING)
        base, server = _serve(app)
        reports = args.report_dir or root
        reports.mkdir(parents=True, exist_ok=True)
        try:
            enterprise = _enterprise_token(base, ca_dir, root / "certs")
            miniapp = _miniapp_token(base, wechat)
            results = {
                "/openapi.json": _schemathesis(
                    f"{base}/openapi.json", enterprise, args.max_examples, args.seed, reports / "enterprise.xml"
                ),
                "/miniapp/openapi.json": _schemathesis(
                    f"{base}/miniapp/openapi.json", miniapp, args.max_examples, args.seed, reports / "miniapp.xml"
                ),
            }
        finally:
            server.shutdown()
            registry.stop()
            wechat.stop()
    for document, code in results.items():
        print(f"contract-fuzz: {document}: {'0 failures' if code == 0 else f'failures (exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
