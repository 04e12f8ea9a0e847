"""A mini-program login is one transaction: the lock check reads outside it, the user (one UPDATE …
RETURNING), its audit row and its session commit together (it was three transactions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from entryfiling.db.models import WeChatUser
from tests.api.test_statement_counts import counted


def test_a_returning_users_login_is_one_transaction_of_four_statements(client, phone, services):
    code, openid = phone.wx_login_as(None)
    assert client.post("/miniapp/v1/login", json={"code": code}).status_code == 200
    transactions: list[str] = []

    def began(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            transactions.append("BEGIN")

    code, _ = phone.wx_login_as(openid)
    event.listen(services.engine, "begin", began)
    try:
        with counted(services) as statements:
            response = client.post("/miniapp/v1/login", json={"code": code})
    finally:
        event.remove(services.engine, "begin", began)
    assert response.status_code == 200 and response.json["user"]["new_user"] is False, response.json
    assert len(transactions) == 1, transactions
    # The lock check, the user's row updated in place (its id coming back), the audit row, the session.
    assert len(statements) <= 4, statements
    user_statements = [s for s in statements if "wechat_users" in s]
    assert len(user_statements) == 1 and user_statements[0].lstrip().upper().startswith("UPDATE"), statements
    # The session the token names is committed: the token works at once.
    token = response.json["access_token"]
    assert client.get("/miniapp/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_login_without_unionid_keeps_the_one_known_and_records_each_session_key(client, phone, services):
    openid = "o-unionid-kept-0001"
    first = phone._post("login", {"openid": openid, "unionid": "u-open-platform-0001"})
    answer = client.post("/miniapp/v1/login", json={"code": first["code"]})
    assert answer.status_code == 200 and answer.json["user"]["new_user"] is True, answer.json
    with services.uow() as uow:
        before = uow.session.scalar(select(WeChatUser).where(WeChatUser.openid == openid))
        assert before is not None and before.unionid == "u-open-platform-0001"
        first_key, first_login = before.session_key_sealed, before.last_login_at
    code, _ = phone.wx_login_as(openid)  # this code2session answers without unionid
    again = client.post("/miniapp/v1/login", json={"code": code})
    assert again.status_code == 200 and again.json["user"] == {**answer.json["user"], "new_user": False}, again.json
    with services.uow() as uow:
        after = uow.session.scalar(select(WeChatUser).where(WeChatUser.openid == openid))
        assert after is not None and after.id == before.id and after.unionid == "u-open-platform-0001"
        assert after.session_key_sealed != first_key and after.last_login_at >= first_login
