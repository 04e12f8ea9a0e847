"""Messages a person reads say nothing a developer must act on: request headers, parameters,
WeChat error codes and English status words go to the ``*_HINT`` messages (problem ``hint``)."""

from __future__ import annotations

import re

from entryfiling import messages

DEVELOPER_WORDS = re.compile(
    r"wx\.|If-Match|ETag|kind=|YYYY|Authorization|Bearer|Idempotency-Key|multipart|errcode|[a-z_]+=|application/"
    r"|JSON|HTTP|\b(pending|passed|failed|accepted|expired|revoked|approved|rejected|draft|submitted)\b"
)


def _user_facing() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(messages).items()
        if name.isupper() and isinstance(value, str) and not name.endswith("_HINT")
    }


def test_no_user_facing_message_speaks_to_developers():
    spoken = {
        name: text for name, text in _user_facing().items() if DEVELOPER_WORDS.search(re.sub(r"\{\w+\}", "", text))
    }
    assert spoken == {}


def test_the_check_would_catch_the_old_texts():
    old = [
        "微信登录凭证 code 无效或已使用，请重新调用 wx.login 获取",
        "缺少 If-Match 请求头",
        "附件请通过上传接口提交（kind=x）",
    ]
    assert all(DEVELOPER_WORDS.search(text) for text in old)
