"""A mini-program login is the lock check and the login's writes: the user (created or updated by
INSERT … ON CONFLICT … RETURNING, which also brings back the verified person's name), its session and
its audit row. On PostgreSQL those three are one statement (data-modifying CTEs), which commits by
itself: no BEGIN, no COMMIT. On SQLite they are one transaction of three statements. A first, a
returning and a verified user's login alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from entryfiling.db.models import AuditEvent, AuthSession, WeChatUser
from handlers import tokens
from handlers.wechat_users import MiniappUser
from tests.api.test_statement_counts import counted
from tests.conftest import opens_a_transaction


@contextmanager
def transactions_begun(services: Any) -> Iterator[list[str]]:
    begun: list[str] = []

    def began(connection: Any) -> None:
        if opens_a_transaction(connection):
            begun.append("BEGIN")

    with services.listening("begin", began):
        yield begun


def _counted_login(client: Any, services: Any, code: str) -> tuple[Any, list[str], list[str]]:
    with transactions_begun(services) as begun, counted(services) as statements:
        response = client.post("/miniapp/v1/login", json={"code": code})
    assert response.status_code == 200, response.json
    return response, statements, begun


def _assert_one_transaction_of_few_statements(services: Any, statements: list[str], begun: list[str]) -> None:
    on_postgresql = services.engine.dialect.name == "postgresql"
    # The lock check (outside a transaction), then on PostgreSQL one statement writing the user, the
    # session and the audit row, which is a transaction by itself; on SQLite a transaction of the
    # user's statement and the session's and the audit row's INSERTs.
    assert len(begun) == (0 if on_postgresql else 1), begun
    assert len(statements) == (2 if on_postgresql else 4), statements
    assert "login_locks" in statements[0] and "wechat_users" not in statements[0], statements
    user_statements = [s for s in statements if "wechat_users" in s]
    assert len(user_statements) == 1 and "ON CONFLICT" in user_statements[0].upper(), statements
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT") and "persons" in s], statements
    written = [s for s in statements if "auth_sessions" in s or "audit_events" in s]
    assert len(written) == (1 if on_postgresql else 2), statements
    if on_postgresql:
        assert written == user_statements, statements


def _login_audit(services: Any, user_id: int) -> AuditEvent:
    with services.uow() as uow:
        last = uow.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "miniapp_login", AuditEvent.target == f"wechat_user:{user_id}")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert last is not None
    return last


def test_a_first_and_a_returning_login_are_each_one_transaction_of_few_statements(client, phone, services):
    code, openid = phone.wx_login_as(None)
    first, statements, begun = _counted_login(client, services, code)
    assert first.json["user"]["new_user"] is True
    _assert_one_transaction_of_few_statements(services, statements, begun)

    code, _ = phone.wx_login_as(openid)
    again, statements, begun = _counted_login(client, services, code)
    assert again.json["user"] == {**first.json["user"], "new_user": False}, again.json
    _assert_one_transaction_of_few_statements(services, statements, begun)
    # The session the token names is committed: the token works at once.
    token = again.json["access_token"]
    assert client.get("/miniapp/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_unverified_users_login_is_audited_as_its_actor_says(client, phone, services):
    code, openid = phone.wx_login_as(None)
    for new_user in (True, False):
        response = client.post("/miniapp/v1/login", json={"code": code}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert response.status_code == 200 and response.json["user"]["new_user"] is new_user, response.json
        user_id = response.json["user"]["id"]
        actor = MiniappUser(user_id, openid, None, None).actor()
        last = _login_audit(services, user_id)
        assert (last.actor_type, last.actor_id, last.actor_name) == (actor.kind, actor.id, actor.name)
        assert (last.actor_type, last.actor_id, last.actor_name) == ("wechat_user", f"wechat:{user_id}", "微信用户")
        assert last.details == {"new_user": new_user} and last.result == "success" and last.enterprise_id is None
        assert last.source_address == "10.1.2.3"
        with services.uow() as uow:
            session = uow.session.scalars(
                select(AuthSession).where(AuthSession.subject == str(user_id)).order_by(AuthSession.created_at.desc())
            ).first()
        assert session is not None and session.audience == "miniapp-login" and session.revoked_at is None
        assert session.expires_at - session.created_at == timedelta(seconds=services.settings.token_ttl_seconds)
        code, _ = phone.wx_login_as(openid)


def test_a_login_whose_session_cannot_be_written_writes_nothing(client, phone, services, monkeypatch):
    """The user's update, the session and the audit row commit together or not at all."""
    code, openid = phone.wx_login_as(None)
    first = client.post("/miniapp/v1/login", json={"code": code})
    assert first.status_code == 200, first.json
    user_id = first.json["user"]["id"]
    with services.uow() as uow:
        taken = uow.session.scalars(select(AuthSession.id).where(AuthSession.subject == str(user_id))).one()
        before = uow.session.scalars(select(WeChatUser).where(WeChatUser.id == user_id)).one()
        key, login_at = before.session_key_sealed, before.last_login_at
        audits = uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "miniapp_login")
        )
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda _n: taken)  # a session id already taken
    code, _ = phone.wx_login_as(openid)
    failed = client.post("/miniapp/v1/login", json={"code": code})
    assert failed.status_code == 500, failed.json
    with services.uow() as uow:
        after = uow.session.scalars(select(WeChatUser).where(WeChatUser.id == user_id)).one()
        assert (after.session_key_sealed, after.last_login_at) == (key, login_at)
        assert (
            uow.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "miniapp_login"))
            == audits
        )


def test_a_verified_users_login_is_audited_under_the_persons_name_by_the_same_statements(
    client, phone, services, verified_user
):
    user = verified_user("张建国")
    code, _ = phone.wx_login_as(user.openid)
    response, statements, begun = _counted_login(client, services, code)
    assert response.json["user"] == {"id": user.user_id, "new_user": False, "verified": True}, response.json
    _assert_one_transaction_of_few_statements(services, statements, begun)
    with services.uow() as uow:
        person_id = uow.session.scalar(select(WeChatUser.person_id).where(WeChatUser.id == user.user_id))
    last = _login_audit(services, user.user_id)
    assert person_id is not None
    actor = MiniappUser(user.user_id, user.openid, person_id, "张建国").actor()
    assert (last.actor_type, last.actor_id, last.actor_name) == (actor.kind, actor.id, actor.name)
    assert (last.actor_type, last.actor_id, last.actor_name) == ("person", f"person:{person_id}", "张建国")
    assert last.target == f"wechat_user:{user.user_id}" and last.details == {"new_user": False}
    # Another user's login is not taken for this person's.
    other = client.post("/miniapp/v1/login", json={"code": phone.wx_login()})
    assert other.json["user"]["verified"] is False, other.json


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
        assert after.created_at == before.created_at


def test_a_new_unionid_replaces_the_known_one(client, phone, services):
    openid = "o-unionid-new-0001"
    first = phone._post("login", {"openid": openid, "unionid": "u-old"})
    assert client.post("/miniapp/v1/login", json={"code": first["code"]}).status_code == 200
    second = phone._post("login", {"openid": openid, "unionid": "u-new"})
    assert client.post("/miniapp/v1/login", json={"code": second["code"]}).status_code == 200
    with services.uow() as uow:
        assert uow.session.scalar(select(WeChatUser.unionid).where(WeChatUser.openid == openid)) == "u-new"
