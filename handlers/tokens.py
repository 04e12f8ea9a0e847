"""Our bearer tokens: signed, expiring, one audience (salt) per kind of caller, and a session each.

An enterprise token cannot be replayed on the mini-program API and the other way round, because
each audience signs with its own salt. Each token names a server-side session (``sid``): logout
and the end of a person's role revoke it at once, and a regulator's session ends after
REGULATOR_IDLE_TIMEOUT_SECONDS without a request. Sessions live in the database, also when
Redis is configured: the database is what every request needs anyway, so a Redis outage never
logs anybody out or locks anybody out (the store is behind one small protocol should a deployment
want another).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, cast

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, Insert, Table, bindparam, insert, select, update

from entryfiling import messages as msg
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import PERSONS_SCOPE, AnswerVersion, AuthSession, WeChatUser
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.errors import AuthenticationFailed
from handlers.services import AnswerVersions, Services

ENTERPRISE = "enterprise-login"
MINIAPP = "miniapp-login"
REGULATOR = "regulator-login"

#: last_seen_at is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(seconds=60)


def issue(services: Services, audience: str, payload: dict[str, Any], subject: str) -> str:
    """A new session for ``subject`` (who the token is for, e.g. the regulator id) and its token."""
    now = services.now()
    sid = secrets.token_urlsafe(24)
    _store(services).create(sid, audience, subject, now, _expires_at(services, now))
    return signed_token(services, audience, payload, sid)


def issue_in(services: Services, uow: UnitOfWork, audience: str, payload: dict[str, Any], subject: str) -> str:
    """``issue`` inside the login's own transaction: the session row commits with the login's other
    writes (one transaction, not two), and a login that fails to commit leaves no session behind.
    Nothing in the login reads the row back, so it is inserted at the commit with the audit rows
    (one statement on PostgreSQL), not flushed as an ORM object."""
    now = services.now()
    sid = secrets.token_urlsafe(24)
    uow.insert_at_commit(_AUTH_SESSIONS, _session_row(sid, audience, subject, now, _expires_at(services, now)))
    return signed_token(services, audience, payload, sid)


def session_insert(subject: ColumnElement[str]) -> Insert:
    """``INSERT INTO auth_sessions … SELECT`` of one new session whose subject is ``subject``, an
    expression of the statement this is part of (a login's user, written by the same statement as
    a data-modifying CTE); its values are bound as ``session_params`` gives them. Built once."""
    row = _session_row(
        bindparam("session_id", type_=_AUTH_SESSIONS.c.id.type),
        bindparam("session_audience", type_=_AUTH_SESSIONS.c.audience.type),
        subject,
        bindparam("session_now", type_=_AUTH_SESSIONS.c.created_at.type),
        bindparam("session_expires_at", type_=_AUTH_SESSIONS.c.expires_at.type),
    )
    return insert(_AUTH_SESSIONS).from_select(list(row), select(*row.values()))


def session_params(services: Services, audience: str) -> tuple[str, dict[str, Any]]:
    """A new session's id and the values ``session_insert`` binds: its row is written by the
    caller's statement, and its token is ``signed_token`` of that id once the row is written."""
    now = services.now()
    sid = secrets.token_urlsafe(24)
    params = {
        "session_id": sid,
        "session_audience": audience,
        "session_now": now,
        "session_expires_at": _expires_at(services, now),
    }
    return sid, params


def signed_token(services: Services, audience: str, payload: dict[str, Any], sid: str) -> str:
    """The token of session ``sid`` for ``audience``, carrying ``payload``."""
    return _serializer(services, audience).dumps({**payload, "sid": sid})


def _expires_at(services: Services, now: datetime) -> datetime:
    return now + timedelta(seconds=services.settings.token_ttl_seconds)


def _session_row(sid: Any, audience: Any, subject: Any, now: Any, expires_at: Any) -> dict[str, Any]:
    """A new session's row, as every way of starting one writes it (values, or for ``session_insert``
    the expressions of its ``SELECT``)."""
    return {
        "id": sid,
        "audience": audience,
        "subject": subject,
        "created_at": now,
        "last_seen_at": now,
        "expires_at": expires_at,
    }


def signed_for(services: Services, audience: str, token: str) -> bool:
    """Whether the token carries this audience's signature (to answer 403 instead of 401 for the wrong API)."""
    try:
        _serializer(services, audience).loads(token)
    except BadSignature:
        return False
    return True


def claimed_identity(services: Services, token: str) -> tuple[str, str] | None:
    """Who a token (genuinely signed by us, perhaps expired, ended or for another API) names: for
    auditing a refused request under the identity it claimed."""
    kinds = {ENTERPRISE: ("enterprise", "uscc"), MINIAPP: ("wechat_user", "uid"), REGULATOR: ("regulator", "rid")}
    for audience, (kind, field) in kinds.items():
        try:
            payload = _serializer(services, audience).loads(token)
        except BadSignature:
            continue
        if isinstance(payload, dict) and payload.get(field) is not None:
            prefix = {"wechat_user": "wechat:", "regulator": "regulator:"}.get(kind, "")
            return kind, f"{prefix}{payload[field]}"
    return None


def read(services: Services, audience: str, token: str) -> dict[str, Any]:
    """The payload of a valid token of a live session; expired, forged or ended ones are refused."""
    return read_with_versions(services, audience, token)[0]


def read_with_versions(services: Services, audience: str, token: str) -> tuple[dict[str, Any], AnswerVersions]:
    """``read``, and the answer versions of the enterprise the token is for (its ``eid``; 0 for
    other tokens), from the session check's same statement."""
    try:
        signed, signed_at = _verified(services.settings.secret_key, audience, token)
    except BadSignature:
        raise AuthenticationFailed(msg.AUTH_TOKEN_INVALID) from None
    # The age rule of itsdangerous' own max_age (whole seconds, never negative), applied on every use.
    age = int(time.time()) - signed_at
    if age > services.settings.token_ttl_seconds or age < 0:
        raise AuthenticationFailed(msg.AUTH_TOKEN_EXPIRED)
    if not isinstance(signed, dict) or not isinstance(signed.get("sid"), str):
        raise AuthenticationFailed(msg.AUTH_TOKEN_INVALID)
    payload = dict(signed)  # the kept one stays as signed, whatever a caller does with its copy
    idle = services.settings.regulator_idle_timeout_seconds if audience == REGULATOR else None
    enterprise_id = payload.get("eid") if audience == ENTERPRISE else None
    versions = _store(services).check(payload["sid"], audience, services.now(), idle, enterprise_id)
    return payload, versions


def revoke(services: Services, payload: dict[str, Any], reason: str = "logout") -> None:
    _store(services).revoke(str(payload.get("sid")), services.now(), reason)


def revoke_subject(services: Services, audience: str, subject: str, reason: str) -> int:
    """End every session of one subject (a person's role ended, an account disabled); how many ended."""
    return _store(services).revoke_subject(audience, subject, services.now(), reason)


def logout(services: Services, audience: str, token: str, actor: Any) -> None:
    """End the session of this token (the caller was identified with it just before)."""
    payload = read(services, audience, token)
    revoke(services, payload, "logout")
    now = services.now()
    with services.uow() as uow:
        uow.audit(actor, "logout", audience, now)
        uow.commit()


def end_person_sessions(services: Services, person_id: int, reason: str) -> int:
    """End the mini-program sessions of the WeChat user bound to a person (their role ended)."""
    with services.uow() as uow:
        user_ids = list(uow.session.scalars(select(WeChatUser.id).where(WeChatUser.person_id == person_id)))
    return sum(revoke_subject(services, MINIAPP, str(user_id), reason) for user_id in user_ids)


def _serializer(services: Services, audience: str) -> URLSafeTimedSerializer:
    return _serializer_for(services.settings.secret_key, audience)


@lru_cache(maxsize=4096)
def _verified(secret_key: str, audience: str, token: str) -> tuple[Any, int]:
    """A token's payload and when it was signed, once its signature has been checked. The same
    tokens come back on every request of a session, and checking one (an HMAC, base64 and JSON)
    costs more than the rest of a kept answer; what a signature proves about a string never
    changes, so it is checked once per process. Age is not kept here: the caller applies it on
    every use. A bad signature raises and is never kept, so forged tokens cannot fill the cache."""
    payload, signed_at = _serializer_for(secret_key, audience).loads(token, return_timestamp=True)
    return payload, int(signed_at.timestamp())


@lru_cache(maxsize=16)
def _serializer_for(secret_key: str, audience: str) -> URLSafeTimedSerializer:
    """One serializer per key and audience (it derives its signing key once, not per request)."""
    return URLSafeTimedSerializer(secret_key, salt=audience)


# ---------------------------------------------------------------------------- session stores


class SessionStore(Protocol):
    def create(self, sid: str, audience: str, subject: str, now: datetime, expires_at: datetime) -> None: ...

    def check(
        self, sid: str, audience: str, now: datetime, idle_seconds: int | None, enterprise_id: int | None = None
    ) -> AnswerVersions:
        """Refuse a session that is not live; else the answer versions of ``enterprise_id``."""
        ...

    def revoke(self, sid: str, now: datetime, reason: str) -> None: ...

    def revoke_subject(self, audience: str, subject: str, now: datetime, reason: str) -> int: ...


def _store(services: Services) -> SessionStore:
    return DatabaseSessionStore(services)


def _ended(reason: str | None) -> AuthenticationFailed:
    return AuthenticationFailed(msg.AUTH_SESSION_IDLE if reason == "idle" else msg.AUTH_SESSION_ENDED)


# Built once: SQLAlchemy caches their compiled form, the request only binds the values.
_AUTH_SESSIONS = cast(Table, AuthSession.__table__)
_LIVE = (AuthSession.id == bindparam("sid"), AuthSession.revoked_at.is_(None))
# The answer versions ride along as two scalar subqueries (primary-key look-ups): an answer cache hit
# costs no statement besides this one. No row yet (nothing changed since the migration) reads as 0.
_VERSION_OF = select(AnswerVersion.version).where(AnswerVersion.scope == bindparam("eid")).scalar_subquery()
_PERSONS_VERSION = select(AnswerVersion.version).where(AnswerVersion.scope == PERSONS_SCOPE).scalar_subquery()
_SESSION_STATE = DriverRead(
    select(
        AuthSession.audience,
        AuthSession.revoked_at,
        AuthSession.revoked_reason,
        AuthSession.last_seen_at,
        _VERSION_OF.label("enterprise_version"),
        _PERSONS_VERSION.label("persons_version"),
    ).where(AuthSession.id == bindparam("sid"))
)
_END_IDLE = update(AuthSession).where(*_LIVE).values(revoked_at=bindparam("now"), revoked_reason="idle")
_TOUCH = (
    update(AuthSession)
    .where(*_LIVE, AuthSession.last_seen_at <= bindparam("due"))
    .values(last_seen_at=bindparam("now"))
)


class DatabaseSessionStore:
    """Sessions as rows. The token's own signed timestamp decides expiry (TOKEN_TTL_SECONDS);
    ``expires_at`` tells housekeeping when a row is of no more use."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def create(self, sid: str, audience: str, subject: str, now: datetime, expires_at: datetime) -> None:
        with self._services.uow() as uow:
            uow.session.execute(insert(_AUTH_SESSIONS), _session_row(sid, audience, subject, now, expires_at))
            uow.commit()

    def check(
        self, sid: str, audience: str, now: datetime, idle_seconds: int | None, enterprise_id: int | None = None
    ) -> AnswerVersions:
        """One SELECT outside a transaction (no BEGIN, no ROLLBACK), on the driver's connection
        (``DriverRead``): every authenticated request pays for this, and a committed logout is seen
        by the very next statement on any worker. Writes happen only when due: the idle end, and
        last_seen_at at most once per TOUCH_EVERY, each a single conditional UPDATE that a
        concurrent logout or touch cannot be overwritten by. The same statement reads the answer
        versions of ``enterprise_id``."""
        row = self._services.read_row(_SESSION_STATE, {"sid": sid, "eid": enterprise_id})
        if row is None or row[0] != audience:
            raise AuthenticationFailed(msg.AUTH_TOKEN_INVALID)
        _audience, revoked_at, revoked_reason, last_seen_at, enterprise_version, persons_version = row
        if revoked_at is not None:
            raise _ended(revoked_reason)
        if idle_seconds is not None and last_seen_at + timedelta(seconds=idle_seconds) <= now:
            with self._services.read_connection() as connection:
                connection.execute(_END_IDLE, {"sid": sid, "now": now})
            raise _ended("idle")
        if now - last_seen_at >= TOUCH_EVERY:
            with self._services.read_connection() as connection:
                connection.execute(_TOUCH, {"sid": sid, "now": now, "due": now - TOUCH_EVERY})
        return AnswerVersions(int(enterprise_version or 0), int(persons_version or 0))

    def revoke(self, sid: str, now: datetime, reason: str) -> None:
        with self._services.uow() as uow:
            uow.session.execute(
                update(AuthSession)
                .where(AuthSession.id == sid, AuthSession.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason=reason)
            )
            uow.commit()

    def revoke_subject(self, audience: str, subject: str, now: datetime, reason: str) -> int:
        with self._services.uow() as uow:
            live = select(AuthSession.id).where(
                AuthSession.audience == audience, AuthSession.subject == subject, AuthSession.revoked_at.is_(None)
            )
            ids = list(uow.session.scalars(live))
            if ids:
                uow.session.execute(
                    update(AuthSession).where(AuthSession.id.in_(ids)).values(revoked_at=now, revoked_reason=reason)
                )
            uow.commit()
            return len(ids)
