"""Printed and documented shell commands: find them, run them in one bash, report each one.

A newcomer copies the commands `scripts/dev` prints and the runnable blocks of the docs into a
shell, top to bottom. These helpers do the same: each command runs in one long-lived bash (so
variables carry over from one command to the next) with ``curl`` wrapped to report every HTTP
status on stderr, so a command "succeeds" only when bash says so *and* every answer it got was
2xx/3xx, or the status its ``# 预期 <status>`` comment announces.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

EXPECTED = re.compile(r"#\s*预期\s+(\d{3})")
RUNNABLE_MARKER = "<!-- runnable -->"
FENCE = re.compile(r"^```(?:bash|sh)\s*$")
HTTP_LINE = re.compile(r"^HTTP (\d{3}) (\S*)$", re.MULTILINE)

# curl's --write-out switched to stderr (curl ≥ 7.63): the command's own output is untouched.
CURL_REPORTING = """curl() { command curl --write-out '%{stderr}HTTP %{http_code} %{url_effective}\\n' "$@"; }"""


@dataclass(frozen=True)
class Command:
    text: str
    expected_status: int | None = None


@dataclass
class Outcome:
    command: Command
    exit_code: int
    statuses: list[tuple[int, str]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def problem(self) -> str | None:
        """Why this command did not do what it promised, or None."""
        if self.exit_code != 0:
            return f"exit status {self.exit_code}"
        if self.command.expected_status is not None:
            if not self.statuses or self.statuses[-1][0] != self.command.expected_status:
                return f"expected HTTP {self.command.expected_status}, got {self.statuses}"
            unexpected = [s for s in self.statuses[:-1] if not 200 <= s[0] < 400]
        else:
            unexpected = [s for s in self.statuses if not 200 <= s[0] < 400]
        if unexpected:
            return f"HTTP answers {unexpected}"
        return None

    def report(self) -> str:
        return (
            f"$ {self.command.text}\n→ {self.problem}\n--- stdout\n{self.stdout[-1500:]}\n"
            f"--- stderr\n{self.stderr[-1500:]}"
        )


def _joined_lines(lines: list[str]) -> list[str]:
    """Lines with shell continuations (a trailing backslash) joined to the next one."""
    joined: list[str] = []
    pending = ""
    for line in lines:
        if not pending and line.lstrip().startswith("#"):
            joined.append(line)  # a comment never continues, trailing backslash or not
            continue
        if pending:
            pending += "\n" + line
        else:
            pending = line
        if not line.endswith("\\"):
            joined.append(pending)
            pending = ""
    if pending:
        joined.append(pending)
    return joined


def _command(text: str) -> Command:
    expected = EXPECTED.search(text.splitlines()[-1])
    return Command(text, int(expected.group(1)) if expected else None)


def walkthrough_commands(printed: str) -> list[Command]:
    """The commands of what `scripts/dev` prints: the lines indented by two spaces under a ``——`` step."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("——"))
    indented = []
    for line in lines[start:]:
        if line.startswith("——") or line.startswith("====") or not line.strip():
            continue
        if not line.startswith("  "):
            raise ValueError(f"a walkthrough line outside any command: {line!r}")
        indented.append(line[2:])
    commands = []
    for text in _joined_lines(indented):
        if not text.lstrip().startswith("#"):
            commands.append(_command(text))
    return commands


def runnable_blocks(markdown: str) -> list[str]:
    """The fenced ``bash``/``sh`` blocks that follow a ``<!-- runnable -->`` line, in order."""
    blocks = []
    lines = markdown.splitlines()
    for index, line in enumerate(lines):
        if line.strip() != RUNNABLE_MARKER:
            continue
        fence = index + 1
        if fence >= len(lines) or not FENCE.match(lines[fence].strip()):
            raise ValueError(f"{RUNNABLE_MARKER} on line {index + 1} is not followed by a ```bash or ```sh fence")
        indent = len(lines[fence]) - len(lines[fence].lstrip())
        body = []
        for inner in lines[fence + 1 :]:
            if inner.strip() == "```":
                break
            body.append(inner[indent:] if inner[:indent].isspace() else inner)
        else:
            raise ValueError(f"the runnable block of line {index + 1} is not closed")
        blocks.append("\n".join(body))
    return blocks


def block_commands(block: str) -> list[Command]:
    """The commands of a shell block: each starts at column 0; indented lines and a closing ``}`` belong to it.

    Comment lines between commands are dropped; a function body stays with its function.
    """
    groups: list[list[str]] = []
    for text in _joined_lines(block.splitlines()):
        stripped = text.strip()
        continues = bool(groups) and (text[:1].isspace() or stripped.startswith("}"))
        if continues and stripped:
            groups[-1].append(text)
        elif stripped and not stripped.startswith("#"):
            groups.append([text])
    return [_command("\n".join(group)) for group in groups]


def run_commands(commands: list[Command], cwd: Path, env: dict[str, str], timeout: float) -> list[Outcome]:
    """Run the commands in order in one bash; the outcome of each, stopping at nothing."""
    scratch = cwd / ".command-runs"
    scratch.mkdir(exist_ok=True)
    script = ["set -o pipefail", CURL_REPORTING]
    for index, command in enumerate(commands):
        out, err, rc = (scratch / f"{index}.{name}" for name in ("out", "err", "rc"))
        script.append(f"{{\n{command.text}\n}} >{out} 2>{err}; echo $? >{rc}")
    subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input="\n".join(script) + "\n",
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
        capture_output=True,
    )
    outcomes = []
    for index, command in enumerate(commands):
        rc_file = scratch / f"{index}.rc"
        stderr = (scratch / f"{index}.err").read_text(errors="replace") if rc_file.exists() else ""
        outcomes.append(
            Outcome(
                command,
                int(rc_file.read_text()) if rc_file.exists() else -1,
                [(int(code), url) for code, url in HTTP_LINE.findall(stderr)],
                (scratch / f"{index}.out").read_text(errors="replace") if rc_file.exists() else "",
                stderr,
            )
        )
    return outcomes
