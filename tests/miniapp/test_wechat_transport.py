"""How our WeChat client reaches WeChat: one kept-alive connection for call after call, and the
proxy the environment names for WeChat's address (read when the client is made, not on every call)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import urllib3.connection
from wechatpy.session.memorystorage import MemoryStorage

from entryfiling.integrations.wechat import ConfiguredWeChatClient, WeChat, WeChatError


@pytest.fixture
def opened_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The TCP connections urllib3 opens (each one a handshake, and at the server a new connection)."""
    opened: list[str] = []
    new_conn = urllib3.connection.HTTPConnection._new_conn

    def counting(self: Any) -> Any:
        opened.append(f"{self.host}:{self.port}")
        return new_conn(self)

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "_new_conn", counting)
    yield opened


def _wechat(base_url: str, emulator: Any) -> WeChat:
    return WeChat(ConfiguredWeChatClient(base_url, emulator.appid, emulator.secret, MemoryStorage(), timeout=5))


def test_call_after_call_goes_over_one_kept_alive_connection(wechat_emulator, phone, opened_sockets):
    wechat = _wechat(wechat_emulator.url, wechat_emulator)
    logins = [phone.wx_login_as(None) for _ in range(3)]
    opened_sockets.clear()  # the phone's own
    assert [wechat.code_to_session(code).openid for code, _ in logins] == [openid for _, openid in logins]
    assert len(opened_sockets) == 1, opened_sockets


def test_the_proxy_the_environment_names_for_wechat_is_used(wechat_emulator, phone, monkeypatch, opened_sockets):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    wechat = _wechat("http://api.weixin.invalid", wechat_emulator)
    monkeypatch.delenv("HTTP_PROXY")  # read when the client was made, not at the call
    code = phone.wx_login()
    opened_sockets.clear()  # the phone's own
    with pytest.raises(WeChatError) as raised:
        wechat.code_to_session(code)
    assert raised.value.errcode is None  # unreachable: 无法连接微信服务
    assert opened_sockets == ["127.0.0.1:9"]


def test_an_address_the_environment_exempts_from_the_proxy_is_reached_directly(wechat_emulator, phone, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    wechat = _wechat(wechat_emulator.url, wechat_emulator)
    code, openid = phone.wx_login_as(None)
    assert wechat.code_to_session(code).openid == openid
