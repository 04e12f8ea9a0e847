"""WeChat login through the real wechatpy client against the stand-in."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from entryfiling.db.models import KeyValue, WeChatUser
from tests.conftest import forget_shared_counters


def _count_users(services) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(WeChatUser)) or 0


def test_login_returns_our_token_and_never_the_session_key(client, phone, services):
    code, openid = phone.wx_login_as("o-login-1")
    response = client.post("/miniapp/v1/login", json={"code": code})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["token_type"] == "Bearer" and body["user"]["new_user"] is True and body["user"]["verified"] is False
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = client.get("/miniapp/v1/me", headers=headers)
    assert me.status_code == 200
    [session_key] = phone.session_keys()
    for text in (response.get_data(as_text=True), me.get_data(as_text=True)):
        assert session_key not in text and "session_key" not in text
    with services.uow() as uow:
        user = uow.session.scalar(select(WeChatUser).where(WeChatUser.openid == openid))
        assert user is not None and user.session_key_sealed and session_key not in user.session_key_sealed
        assert services.cipher.decrypt(user.session_key_sealed) == session_key

    again = client.post("/miniapp/v1/login", json={"code": phone.wx_login(openid)})
    assert again.json["user"] == {"id": body["user"]["id"], "new_user": False, "verified": False}
    assert _count_users(services) == 1


def test_wrong_code_is_refused_and_creates_nothing(client, phone, services):
    response = client.post("/miniapp/v1/login", json={"code": "not-a-code"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    # The person reads detail; the developer reads hint.
    assert "wx.login" not in response.json["detail"] and "wx.login" in response.json["hint"]
    assert _count_users(services) == 0


def test_a_code_is_single_use(client, phone):
    code = phone.wx_login()
    assert client.post("/miniapp/v1/login", json={"code": code}).status_code == 200
    replay = client.post("/miniapp/v1/login", json={"code": code})
    assert replay.status_code == 401


def test_missing_or_malformed_code_is_a_clear_422(client):
    assert client.post("/miniapp/v1/login", json={}).json["errors"] == {"code": "缺少必填项"}
    assert client.post("/miniapp/v1/login", json={"code": 12}).status_code == 422
    assert client.post("/miniapp/v1/login", data="not json", content_type="application/json").status_code in (
        400,
        422,
    )


def test_wechat_rate_limit_45011_becomes_429(client, phone, services):
    phone.fault("/sns/jscode2session", 45011)
    response = client.post("/miniapp/v1/login", json={"code": phone.wx_login()})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert _count_users(services) == 0


def test_tampered_or_missing_token_is_refused(miniapp_login, client):
    user = miniapp_login()
    tampered = user.token[:-2] + ("AA" if not user.token.endswith("AA") else "BB")
    assert client.get("/miniapp/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    assert client.get("/miniapp/v1/me").status_code == 401
    # An enterprise token is not a mini-program token (different salt).
    assert client.get("/miniapp/v1/me", headers={"Authorization": "Bearer x.y.z"}).status_code == 401


def test_enterprise_token_does_not_open_the_miniapp_api(enterprise, client):
    response = client.get("/miniapp/v1/me", headers=enterprise.headers)
    assert response.status_code == 401


def test_access_token_is_fetched_once_and_shared_by_processes(make_app, phone, services):
    """Two apps (as two gunicorn processes) over one database use one access token."""
    first, second = make_app().test_client(), make_app().test_client()
    for c in (first, second, first):
        user = c.post("/miniapp/v1/login", json={"code": phone.wx_login()}).json
        response = c.post(
            "/miniapp/v1/identity/verifications",
            json={"name": "王五", "id_number": "11010519750109002X"},
            headers={"Authorization": f"Bearer {user['access_token']}"},
        )
        assert response.status_code == 201, response.json
    assert phone.token_fetches() == 1
    with services.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(KeyValue)) == 1


def test_expired_access_token_is_refreshed_and_the_call_retried(miniapp_login, phone):
    user = miniapp_login()
    assert (
        user.post(
            "/miniapp/v1/identity/verifications", json={"name": "王五", "id_number": "11010519750109002X"}
        ).status_code
        == 201
    )
    phone.expire_tokens()
    retried = user.post("/miniapp/v1/identity/verifications", json={"name": "王五", "id_number": "11010519750109002X"})
    assert retried.status_code == 201, retried.json
    assert phone.token_fetches() == 2
    assert len(phone.calls("/cityservice/face/identify/getverifyid")) == 3  # ok, 42001, retried ok


def test_token_refresh_is_capped_when_wechat_keeps_refusing(miniapp_login, phone):
    user = miniapp_login()
    phone.fault("/cityservice/face/identify/getverifyid", 40001, 40001, 40001, 40001, 40001)
    response = user.post("/miniapp/v1/identity/verifications", json={"name": "王五", "id_number": "11010519750109002X"})
    assert response.status_code == 502
    assert "40001" in response.json["detail"]
    assert len(phone.calls("/cityservice/face/identify/getverifyid")) == 2  # the call and one retry, no more


def test_unreachable_wechat_is_a_502_not_a_500(make_app, settings):
    app = make_app(wechat_api_base_url="http://127.0.0.1:9")  # discard port: nothing listens
    response = app.test_client().post("/miniapp/v1/login", json={"code": "abc"})
    assert response.status_code == 502
    assert response.mimetype == "application/problem+json"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (REDIS_URL); CI provides one")
def test_access_token_lives_in_redis_when_configured(make_app, phone):
    import redis

    url = os.environ["REDIS_URL"]
    redis.Redis.from_url(url).delete("entryfiling:wechat:wx0000000000dev000_access_token")
    forget_shared_counters(url)
    apps = [make_app(redis_url=url).test_client() for _ in range(2)]
    for c in apps:
        user = c.post("/miniapp/v1/login", json={"code": phone.wx_login()})
        assert user.status_code == 200, user.json
        bearer = {"Authorization": f"Bearer {user.json['access_token']}"}
        bound = c.post("/miniapp/v1/me/phone", json={"code": phone.phone_code("13800138000")}, headers=bearer)
        assert bound.status_code == 200, bound.json
    assert phone.token_fetches() == 1
    assert redis.Redis.from_url(url).ttl("entryfiling:wechat:wx0000000000dev000_access_token") > 7000


def test_login_reads_no_access_token(client, phone, services):
    """jscode2session authenticates with appid and secret: a login neither fetches nor reads the token."""
    response = client.post("/miniapp/v1/login", json={"code": phone.wx_login()})
    assert response.status_code == 200, response.json
    assert phone.token_fetches() == 0
    with services.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(KeyValue)) == 0


def test_bad_codes_lock_the_source_and_a_locked_login_does_not_reach_wechat(make_app, phone):
    client = make_app(login_max_failures_per_source=3).test_client()
    for n in range(3):
        assert client.post("/miniapp/v1/login", json={"code": f"not-a-wx-code-{n}"}).status_code == 401
    calls_before = len(phone.calls("/sns/jscode2session"))
    code, _openid = phone.wx_login_as(None)
    locked = client.post("/miniapp/v1/login", json={"code": code})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0, locked.json
    assert locked.json["detail"] and "分钟" in locked.json["detail"], locked.json
    assert len(phone.calls("/sns/jscode2session")) == calls_before
