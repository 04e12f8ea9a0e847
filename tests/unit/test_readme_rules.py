"""The README's rules section lists every declared rule with its stage, what a failure does and its description."""

from __future__ import annotations

from pathlib import Path

import pytest

from entryfiling.domain.rules import RULES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", list(RULES))
def test_every_rule_is_listed_in_the_readme(key):
    rule = RULES[key]
    row = next((line for line in README.splitlines() if line.startswith(f"| `{key}` |")), None)
    assert row is not None, f"README lacks a row for rule {key}"
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1:4] == [rule.stage.value, rule.on_failure.value, rule.description]
