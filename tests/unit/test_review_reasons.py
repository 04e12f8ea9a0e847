"""A regulator's reason must carry weight: a rejection says what the enterprise has to fix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain.review import APPROVE, REJECT, reason_problem, reason_weight


@pytest.mark.parametrize("reason", ["ok", "OK!", "不行", "补正", "x y z", "。。。。。。", "1234"])
def test_short_rejection_reasons_are_refused_with_what_to_write(reason: str) -> None:
    problem = reason_problem(REJECT, reason)
    assert problem is not None and "至少 5 个汉字或 10 个字母、数字" in problem


@pytest.mark.parametrize("reason", ["未提供工商核准通知书", "缺少营业执照", "USCC 与证书不一致", "name differs"])
def test_rejection_reasons_that_say_what_to_fix_are_taken(reason: str) -> None:
    assert reason_problem(REJECT, reason) is None


def test_an_approval_needs_a_short_note_only() -> None:
    assert reason_problem(APPROVE, "核实无误") is None
    assert reason_problem(APPROVE, "属实") is None
    assert reason_problem(APPROVE, "ok") is not None


def test_overlong_reasons_are_refused() -> None:
    assert "500" in (reason_problem(REJECT, "缺" * 501) or "")


@given(st.text(max_size=40))
def test_weight_counts_chinese_fully_and_letters_by_half(text: str) -> None:
    chinese = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    assert chinese <= reason_weight(text) <= len(text)
    assert reason_weight(text + "补正") == reason_weight(text) + 2
