"""A mini-program login is one transaction: the lock check reads outside it, the user, its audit row
and its session commit together (it was three transactions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.api.test_statement_counts import counted


def test_a_returning_users_login_is_one_transaction_of_five_statements(client, phone, services):
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
    assert len(statements) <= 5, statements
    # The session the token names is committed: the token works at once.
    token = response.json["access_token"]
    assert client.get("/miniapp/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
