"""How our WeChat client reaches WeChat: one kept-alive connection for call after call, and the
proxy the environment names for WeChat's address (read when the client is made, not on every call)."""

from __future__ import annotations

import socket
import threading
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


class _Answers:
    """A server answering jscode2session with whatever a test sets (status, body), kept alive."""

    def __init__(self) -> None:
        self.status, self.body = 200, b"{}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(
            f"{self.status} X", [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))]
        )
        return [self.body]


@pytest.fixture
def answers() -> Iterator[tuple[_Answers, str]]:
    from cheroot import wsgi

    app = _Answers()
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=2)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.bind_addr[1]}"
    finally:
        server.stop()
        thread.join(timeout=5)


ANSWERS = [
    pytest.param(200, b'{"openid": "o-1", "session_key": "k", "unionid": "u-1"}', id="an answer"),
    pytest.param(200, b'{"openid": "o-1", "session_key": "k", "errcode": 0}', id="errcode 0"),
    pytest.param(200, b'{"errcode": 40029, "errmsg": "invalid code"}', id="a refusal"),
    pytest.param(200, b'{"errcode": "45011", "errmsg": "api minute-quota reach limit"}', id="errcode as text"),
    pytest.param(200, b'{"errcode": 40001}', id="a token error, never retried"),
    pytest.param(200, b'{"errcode": 45009, "errmsg": "reach max api daily quota limit"}', id="out of quota"),
    pytest.param(200, b'{"errcode": -1}', id="busy without errmsg"),
    pytest.param(200, b'{"openid": "o-1"}', id="no session key"),
    pytest.param(200, b"<html>busy</html>", id="not JSON"),
    pytest.param(200, b"[1, 2]", id="JSON but not an object"),
    pytest.param(200, '{"openid": "o-中", "session_key": "k"}'.encode(), id="UTF-8"),
    pytest.param(500, b'{"errcode": -1}', id="HTTP 500"),
    pytest.param(404, b"not found", id="HTTP 404"),
]


def _outcome(wechat: WeChat, code: str) -> Any:
    try:
        return wechat.code_to_session(code)
    except WeChatError as error:
        return type(error), error.errcode, error.errmsg, error.message


@pytest.mark.parametrize(("status", "body"), ANSWERS)
def test_code2session_answers_and_fails_as_it_did_through_wechatpy(answers, status, body):
    """The direct transport (no proxy) against wechatpy and requests (the path a proxy takes)."""
    app, url = answers
    app.status, app.body = status, body
    direct = WeChat(ConfiguredWeChatClient(url, "wx-app", "secret", MemoryStorage(), timeout=5))
    through_wechatpy = WeChat(ConfiguredWeChatClient(url, "wx-app", "secret", MemoryStorage(), timeout=5))
    through_wechatpy._code2session = None
    assert direct._code2session is not None
    assert _outcome(direct, "a-code") == _outcome(through_wechatpy, "a-code")


def test_unreachable_wechat_fails_as_it_did_through_wechatpy():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{taken.getsockname()[1]}"  # bound, not listening: refused
        direct = WeChat(ConfiguredWeChatClient(url, "wx-app", "secret", MemoryStorage(), timeout=5))
        through_wechatpy = WeChat(ConfiguredWeChatClient(url, "wx-app", "secret", MemoryStorage(), timeout=5))
        through_wechatpy._code2session = None
        outcome = _outcome(direct, "a-code")
        assert outcome == _outcome(through_wechatpy, "a-code")
        assert outcome[:3] == (WeChatError, None, "ConnectionError"), outcome


def test_a_kept_connection_found_closed_is_replaced_not_reused(answers, opened_sockets):
    app, url = answers
    app.body = b'{"openid": "o-1", "session_key": "k"}'
    wechat = WeChat(ConfiguredWeChatClient(url, "wx-app", "secret", MemoryStorage(), timeout=5))
    assert wechat.code_to_session("one").openid == "o-1"
    pool = wechat._code2session._pool  # type: ignore[union-attr]
    for connection in list(pool.pool.queue):  # the kept connection is closed under the pool
        if connection is not None and connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)
    assert wechat.code_to_session("two").openid == "o-1"
    assert len(opened_sockets) == 2, opened_sockets


def test_wechat_over_https_is_verified_against_the_bundle_requests_would_use(monkeypatch):
    import requests.utils

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    wechat = WeChat(ConfiguredWeChatClient("https://api.weixin.qq.com", "wx-app", "secret", MemoryStorage(), 5))
    pool = wechat._code2session._pool  # type: ignore[union-attr]
    assert (pool.scheme, pool.host, pool.port) == ("https", "api.weixin.qq.com", 443)
    assert pool.cert_reqs == "CERT_REQUIRED" and pool.ca_certs == requests.utils.DEFAULT_CA_BUNDLE_PATH

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    wechat = WeChat(ConfiguredWeChatClient("https://api.weixin.qq.com", "wx-app", "secret", MemoryStorage(), 5))
    assert wechat._code2session._pool.ca_certs == "/etc/ssl/certs/ca-certificates.crt"  # type: ignore[union-attr]
