"""The command runner itself: it must catch a failing command, or the command tests prove nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.commands.conftest import SHELL_TIMEOUT_SECONDS
from tests.commands.shell import Command, block_commands, run_commands, runnable_blocks, walkthrough_commands

PRINTED = """
==== title ====
服务地址      http://x
—— 1. step ——
  A=1
  # a comment
  curl -s -X POST $API/x \\
       -d '{}'   # 预期 409
====================
"""


def test_walkthrough_commands_join_continuations_and_read_expectations():
    commands = walkthrough_commands(PRINTED)
    assert [c.text for c in commands] == ["A=1", "curl -s -X POST $API/x \\\n     -d '{}'   # 预期 409"]
    assert [c.expected_status for c in commands] == [None, 409]


def test_runnable_blocks_keep_functions_whole_and_skip_unmarked_blocks():
    markdown = (
        "```sh\nnot runnable\n```\n<!-- runnable -->\n```bash\n# setup\nf() {\n  echo in\n}\nf\n```\n"
        "  <!-- runnable -->\n  ```sh\n  echo indented\n  ```\n"
    )
    blocks = runnable_blocks(markdown)
    assert blocks == ["# setup\nf() {\n  echo in\n}\nf", "echo indented"]
    assert [c.text for c in block_commands(blocks[0])] == ["f() {\n  echo in\n}", "f"]


def test_the_runner_reports_exit_codes_http_errors_and_unmet_expectations(dev_server, tmp_path):
    api = dev_server.url
    commands = [
        Command("X=$(echo kept)"),
        Command('test "$X" = kept'),
        Command("false"),
        Command(f"curl -s {api}/api/v1/businesses >/dev/null"),
        Command(f"curl -s {api}/api/v1/no-such-route"),
        Command(f"curl -s {api}/api/v1/no-such-route   # 预期 404", 404),
        Command(f"curl -s {api}/api/v1/businesses   # 预期 404", 404),
    ]
    outcomes = run_commands(commands, tmp_path, dev_server.env, SHELL_TIMEOUT_SECONDS)
    problems = [o.problem for o in outcomes]
    assert problems[0] is None and problems[1] is None  # variables carry over
    assert problems[2] == "exit status 1"
    assert problems[3] is None and outcomes[3].statuses == [(200, f"{api}/api/v1/businesses")]
    assert "404" in (problems[4] or "")
    assert problems[5] is None
    assert "expected HTTP 404" in (problems[6] or "")


@given(st.lists(st.text(alphabet="ab \\#{}", max_size=8), max_size=12))
def test_block_commands_lose_no_command_text(lines):
    """Whatever the block, every line that is not a comment or blank ends up in exactly one command."""
    block = "\n".join(lines)
    commands = block_commands(block)
    kept = "\n".join(c.text for c in commands).splitlines()
    wanted = [line for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert [line for line in kept if line.strip() and not line.strip().startswith("#")] == wanted
