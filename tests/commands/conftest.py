"""A dev server started exactly as `scripts/dev` starts it, on free loopback ports, for the command tests."""

from __future__ import annotations

import os
import queue
import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
# Upper bounds only, so that a broken start fails the test instead of hanging CI.
START_TIMEOUT_SECONDS = 180
SHELL_TIMEOUT_SECONDS = 300
START_ATTEMPTS = 5


def free_port() -> int:
    """A loopback port free now, below Linux's ephemeral range (32768+).

    The dev server binds its ports seconds after they were chosen (migrations run first);
    ports of the ephemeral range are what every outgoing connection and ``bind(0)`` on the
    machine take meanwhile, so they are avoided. A port taken anyway is retried by the caller.
    """
    chooser = random.SystemRandom()
    for _ in range(200):
        port = chooser.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free loopback port between 20000 and 32000")


@dataclass
class DevServer:
    url: str
    wechat_url: str
    registry_url: str
    printed: str
    workdir: Path
    env: dict[str, str]

    def localise(self, text: str) -> str:
        """Documented commands name the default ports; this server runs on free ones."""
        for default, actual in (
            ("127.0.0.1:5000", self.url),
            ("localhost:5000", self.url),
            ("127.0.0.1:8701", self.wechat_url),
            ("localhost:8701", self.wechat_url),
            ("127.0.0.1:8702", self.registry_url),
            ("localhost:8702", self.registry_url),
        ):
            text = text.replace(f"http://{default}", actual).replace(default, actual.removeprefix("http://"))
        return text


def _read_lines(stream, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """`scripts/dev --port P` on the embedded defaults, in a fresh instance folder, stopped afterwards.

    The shell the commands run in works in a folder of its own (files they download land there)
    that links the project's `.venv`, `devkit` and the server's `instance` folder, as the
    project folder would.
    """
    root = tmp_path_factory.mktemp("dev-server")
    instance = root / "instance"
    workdir = root / "work"
    workdir.mkdir()
    for name, target in ((".venv", REPO / ".venv"), ("devkit", REPO / "devkit"), ("instance", instance)):
        (workdir / name).symlink_to(target, target_is_directory=True)
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "STORAGE_DIR"}}
    # A free port may be taken by someone else before the server binds it: start again on new ones.
    for _attempt in range(START_ATTEMPTS):
        port, wechat_port, registry_port = free_port(), free_port(), free_port()
        env = base_env | {
            "INSTANCE_PATH": str(instance),
            "WECHAT_API_BASE_URL": f"http://127.0.0.1:{wechat_port}",
            "REGISTRY_API_BASE_URL": f"http://127.0.0.1:{registry_port}",
            "PYTHONUNBUFFERED": "1",
        }
        process = subprocess.Popen(
            [str(REPO / "scripts" / "dev"), "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        url = f"http://127.0.0.1:{port}"
        try:
            printed = _printed_walkthrough(lines)
            if _serving(url, process, lines):
                break
        except PortTaken:
            _stop(process)
            continue
        except BaseException:
            _stop(process)
            raise
        _stop(process)
    else:
        raise AssertionError(f"scripts/dev found no free port in {START_ATTEMPTS} attempts")
    try:
        yield DevServer(
            url,
            env["WECHAT_API_BASE_URL"],
            env["REGISTRY_API_BASE_URL"],
            printed,
            workdir,
            {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"},
        )
    finally:
        _stop(process)


class PortTaken(Exception):
    """The dev server or a stand-in could not bind its port."""


def _port_taken(output: str) -> bool:
    return "Address already in use" in output or "is in use by another program" in output


def _printed_walkthrough(lines: queue.Queue[str | None]) -> str:
    """What the dev command printed, from the first ==== line to the closing one."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    seen: list[str] = []
    started = False
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        except queue.Empty:
            raise AssertionError("scripts/dev printed no walkthrough:\n" + "".join(seen)) from None
        if line is None:
            if _port_taken("".join(seen)):
                raise PortTaken
            raise AssertionError("scripts/dev stopped:\n" + "".join(seen))
        seen.append(line)
        if line.startswith("===="):
            if started and set(line.strip()) == {"="}:
                return "".join(seen[next(i for i, s in enumerate(seen) if s.startswith("====")) :])
            started = True


def _serving(url: str, process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> bool:
    """True once the server answers; False when it stopped because its port was taken."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if process.poll() is None and requests.get(f"{url}/api/v1/businesses", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        if process.poll() is not None:
            output = "".join(iter_queue(lines))
            if _port_taken(output):
                return False
            raise AssertionError(f"scripts/dev stopped:\n{output}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer")
        time.sleep(0.2)


def iter_queue(lines: queue.Queue[str | None]) -> list[str]:
    seen = []
    while True:
        try:
            line = lines.get(timeout=5)
        except queue.Empty:
            return seen
        if line is None:
            return seen
        seen.append(line)


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop the dev server and its children (its own process group, started for it)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
