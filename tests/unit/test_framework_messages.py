"""The framework's English texts are never shown: each becomes Chinese, ours pass unchanged."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.http.errors import translate_framework_message

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Invalid JSON body.", "提交的内容格式有误"),
        ("Missing data for required field.", "缺少必填项"),
        ("Not a valid integer.", "应为整数"),
        ("Must be one of: approve, reject.", "取值应为：approve, reject"),
        ("Must be greater than or equal to 1 and less than or equal to 100.", "应在 1 至 100 之间"),
        ("Must be greater than or equal to 1.", "不能小于 1"),
        ("Length must be between 2 and 500.", "长度应为 2 至 500 个字符"),
        ("Longer than maximum length 200.", "不能超过 200 个字符"),
        ('"abc" cannot be formatted as a datetime.', "格式有误"),
        ("Not a valid IPv6 interface.", "格式有误"),
        ("Something new in a later release.", "取值无效"),
    ],
)
def test_framework_texts_become_chinese(english: str, chinese: str) -> None:
    assert translate_framework_message(english).startswith(chinese)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_any_ascii_text_comes_out_chinese(text: str) -> None:
    assert CJK.search(translate_framework_message(text))


@given(st.text(max_size=30))
def test_chinese_texts_pass_unchanged(text: str) -> None:
    ours = f"请填写{text}"
    assert translate_framework_message(ours) == ours
