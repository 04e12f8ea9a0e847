"""With Redis down the mini-program keeps working: WeChat's access token comes from the database
copy, sessions live in the database; nothing answers 500. The test stops a redis-server of its own."""

from __future__ import annotations

from tests.factories import make_id_number


def test_login_and_identity_start_work_through_a_redis_outage(make_app, own_redis, phone):
    client = make_app(redis_url=own_redis.url).test_client()
    first = client.post("/miniapp/v1/login", json={"code": phone.wx_login()})
    assert first.status_code == 200, first.json
    # Login needs no access token (jscode2session is tokenless); starting a verification does.
    before = client.post(
        "/miniapp/v1/identity/verifications",
        json={"name": "张建国", "id_number": make_id_number()},
        headers={"Authorization": f"Bearer {first.json['access_token']}"},
    )
    assert before.status_code == 201, before.json
    fetched = phone.token_fetches()
    assert fetched >= 1
    own_redis.stop()

    during = client.post("/miniapp/v1/login", json={"code": phone.wx_login()})
    assert during.status_code == 200, during.json
    headers = {"Authorization": f"Bearer {during.json['access_token']}"}
    started = client.post(
        "/miniapp/v1/identity/verifications", json={"name": "张建国", "id_number": make_id_number()}, headers=headers
    )
    assert started.status_code == 201, started.json
    assert phone.token_fetches() == fetched  # the token kept in the database, not a new one
    assert client.get("/miniapp/v1/me", headers=headers).status_code == 200

    own_redis.start()  # back, and empty: the token is written to it again on the next refresh
    assert client.post("/miniapp/v1/login", json={"code": phone.wx_login()}).status_code == 200
