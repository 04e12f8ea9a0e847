"""Every command we print works: the walkthrough of `scripts/dev` and the runnable blocks of the docs.

The dev server is started as `scripts/dev` starts it (on free loopback ports); each printed
command then runs, in order, in one bash, and must exit 0 with every HTTP answer 2xx/3xx (or
the status its ``# 预期 <status>`` comment names).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.conftest import REPO, SHELL_TIMEOUT_SECONDS, DevServer
from tests.commands.shell import Command, block_commands, run_commands, runnable_blocks, walkthrough_commands

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def assert_all_succeed(commands: list[Command], server: DevServer, where: Path) -> None:
    assert commands, "no commands found"
    outcomes = run_commands(commands, where, server.env, SHELL_TIMEOUT_SECONDS)
    failed = [o.report() for o in outcomes if o.problem]
    assert not failed, f"{len(failed)} of {len(outcomes)} commands failed:\n\n" + "\n\n".join(failed)


def test_every_walkthrough_command_works(dev_server):
    commands = walkthrough_commands(dev_server.printed)
    texts = "\n".join(c.text for c in commands)
    # What it prints is what a newcomer needs: login, the one-command filing, the mini-program, review.
    for expected in ("entryfiling login", "try-first-filing", "/miniapp/v1/login", "/api/v1/review/filings", "/back"):
        assert expected in texts
    assert_all_succeed(commands, dev_server, dev_server.workdir)


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if runnable_blocks(d.read_text())], ids=lambda d: d.name)
def test_runnable_blocks_of_the_docs_work(dev_server, document, tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    for name in (".venv", "devkit", "instance"):
        (workdir / name).symlink_to((dev_server.workdir / name).resolve(), target_is_directory=True)
    commands = [
        Command(dev_server.localise(c.text), c.expected_status)
        for block in runnable_blocks(document.read_text())
        for c in block_commands(block)
    ]
    assert_all_succeed(commands, dev_server, workdir)


def test_the_docs_mark_blocks_runnable():
    marked = {d.name for d in DOCUMENTS if runnable_blocks(d.read_text())}
    assert {"README.md", "businesses.md", "jobs.md", "miniapp.md", "notifications.md"} <= marked
