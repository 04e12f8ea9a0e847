"""Mini-program users: WeChat login, our own bearer token, the phone number, ``me``.

The WeChat ``session_key`` is kept sealed on the server and never returned: a client holding it
could forge the data WeChat signs for us. Our token names only our user id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import JSON, ColumnElement, String, Table, bindparam, case, func, literal, literal_column, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite

from entryfiling import messages as msg
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import Person, WeChatUser
from entryfiling.db.uow import UnitOfWork, audit_insert, audit_params
from entryfiling.domain.errors import (
    AuthenticationFailed,
    DomainError,
    ExternalServiceError,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from entryfiling.domain.validators import mask_mobile
from entryfiling.integrations.wechat import (
    CODE2SESSION_RATE_LIMITED,
    CODE_USED,
    HIGH_RISK_USER,
    INVALID_CODE,
    INVALID_OPENID,
    SYSTEM_BUSY,
    PhoneNotForThisApp,
    WeChatError,
)
from handlers import lockout, tokens
from handlers.services import Actor, Services

# WeChat: 40029 invalid code, 40163 code already used.
_BAD_CODE_ERRCODES = frozenset({INVALID_CODE, CODE_USED})
LOGIN_RETRY_AFTER_SECONDS = 60
WECHAT_BUSY_RETRY_AFTER_SECONDS = 5
# What the person is told for each code2session refusal a user can act on (others are 502).
LOGIN_REFUSALS: dict[int, Callable[[], DomainError]] = {
    INVALID_CODE: lambda: AuthenticationFailed(
        msg.MINIAPP_CODE_INVALID, errors={"code": msg.MINIAPP_CODE_INVALID}, hint=msg.MINIAPP_CODE_INVALID_HINT
    ),
    CODE_USED: lambda: AuthenticationFailed(
        msg.MINIAPP_CODE_INVALID, errors={"code": msg.MINIAPP_CODE_INVALID}, hint=msg.MINIAPP_CODE_USED_HINT
    ),
    HIGH_RISK_USER: lambda: PermissionDenied(msg.MINIAPP_HIGH_RISK_USER, hint=msg.MINIAPP_HIGH_RISK_USER_HINT),
    CODE2SESSION_RATE_LIMITED: lambda: RateLimited(
        msg.MINIAPP_LOGIN_RATE_LIMITED, retry_after=LOGIN_RETRY_AFTER_SECONDS
    ),
    SYSTEM_BUSY: lambda: ServiceUnavailable(
        msg.WECHAT_BUSY, retry_after=WECHAT_BUSY_RETRY_AFTER_SECONDS, hint=msg.WECHAT_BUSY_HINT
    ),
}


@dataclass(frozen=True)
class MiniappUser:
    """Who calls the mini-program API: our WeChat user, and the verified person if any."""

    id: int
    openid: str
    person_id: int | None
    person_name: str | None

    def actor(
        self, enterprise_id: int | None = None, certificate_uscc: str | None = None, certificate_name: str | None = None
    ) -> Actor:
        """Audited under the person's own name once verified, else as the WeChat user. (The login's
        one statement on PostgreSQL writes this rule in SQL, ``_actor_in_sql``: change both.)"""
        if self.person_id is not None:
            kind, ident, name = "person", f"person:{self.person_id}", self.person_name or ""
        else:
            kind, ident, name = "wechat_user", f"wechat:{self.id}", "微信用户"
        return Actor(kind, ident, name, enterprise_id, certificate_uscc, certificate_name)


@dataclass(frozen=True)
class MiniappLogin:
    token: str
    expires_in: int
    user_id: int
    new_user: bool
    verified: bool


def login(services: Services, code: str, source: str) -> MiniappLogin:
    """code2session, then find or create our user by openid and issue our token.

    A bad code says nothing about who is calling: failures count against the source address.
    """
    with lockout.guarded(services, lockout.LoginAttempt("miniapp_login", "wechat_user", None, source)):
        return _login(services, code)


def _login(services: Services, code: str) -> MiniappLogin:
    try:
        session = services.wechat().code_to_session(code)
    except WeChatError as error:
        refusal = LOGIN_REFUSALS.get(error.errcode) if error.errcode is not None else None
        if refusal is not None:
            raise refusal() from None
        raise
    now = services.now()
    values = {
        "openid": session.openid,
        "unionid": session.unionid or None,
        "sealed_key": services.cipher.encrypt(session.session_key),
        "now": now,
    }
    if services.engine.dialect.name == "postgresql":
        user, new_user, token = _login_in_one_statement(services, values)
    else:
        with services.uow() as uow:
            user, new_user = _record_login(uow, session.openid, values)
            uow.audit(user.actor(), "miniapp_login", f"wechat_user:{user.id}", now, {"new_user": new_user})
            token = tokens.issue_in(services, uow, tokens.MINIAPP, {"uid": user.id}, subject=str(user.id))
            uow.commit()
    return MiniappLogin(token, services.settings.token_ttl_seconds, user.id, new_user, user.person_id is not None)


_WECHAT_USERS = cast(Table, WeChatUser.__table__)
_PERSONS = cast(Table, Person.__table__)
# The name of the verified person the user is bound to (none when unbound or not yet verified).
# SQLAlchemy does not correlate a subquery of RETURNING with the row written (it would add the
# table to the subquery's FROM), hence the written row's column by its qualified name.
_VERIFIED_NAME = (
    select(_PERSONS.c.name)
    .where(_PERSONS.c.id == literal_column("wechat_users.person_id"), _PERSONS.c.verified_at.is_not(None))
    .scalar_subquery()
)


def _upsert_login(dialect: Any) -> Any:
    """INSERT … ON CONFLICT (openid) DO UPDATE … RETURNING in the words of ``dialect`` (PostgreSQL
    and SQLite both speak it): a first login and a returning one are the same one statement, and a
    concurrent first login of the same openid waits for the other and then updates its row."""
    statement = dialect.insert(_WECHAT_USERS).values(
        openid=bindparam("openid"),
        unionid=bindparam("unionid"),
        session_key_sealed=bindparam("sealed_key"),
        created_at=bindparam("now"),
        last_login_at=bindparam("now"),
    )
    return statement.on_conflict_do_update(
        index_elements=[_WECHAT_USERS.c.openid],
        set_={
            # A code2session without unionid (the app not bound to an open platform) keeps the known one.
            "unionid": func.coalesce(statement.excluded.unionid, _WECHAT_USERS.c.unionid),
            "session_key_sealed": statement.excluded.session_key_sealed,
            "last_login_at": statement.excluded.last_login_at,
        },
    ).returning(
        _WECHAT_USERS.c.id,
        _WECHAT_USERS.c.person_id,
        _VERIFIED_NAME.label("verified_name"),
        # Only a row this login created carries this login's time as its creation time too.
        (_WECHAT_USERS.c.created_at == _WECHAT_USERS.c.last_login_at).label("new_user"),
    )


# Built once per dialect: a login only binds its values.
_RECORD_LOGIN = {"postgresql": _upsert_login(postgresql), "sqlite": _upsert_login(sqlite)}


def _record_login(uow: UnitOfWork, openid: str, values: dict[str, Any]) -> tuple[MiniappUser, bool]:
    """The user of this openid, written (created on a first login) by one statement that also brings
    back the verified person's name. A Core statement on the table: loading the ORM row, flushing it
    back and loading the person were up to three round trips and the unit of work's cost."""
    statement = _RECORD_LOGIN[uow.session.get_bind().dialect.name]
    return _written_user(openid, uow.session.execute(statement, values).one())


def _written_user(openid: str, row: Sequence[Any]) -> tuple[MiniappUser, bool]:
    """The user of a written row: its id, person id, verified person's name, whether it is new."""
    user_id, person_id, verified_name, new_user = row
    verified = verified_name is not None
    return MiniappUser(user_id, openid, person_id if verified else None, verified_name), bool(new_user)


class _ActorInSql(NamedTuple):
    kind: ColumnElement[str]
    id: ColumnElement[str]
    name: ColumnElement[str]
    enterprise_id: None = None


def _actor_in_sql(user_id: ColumnElement[int], person_id: ColumnElement[Any], verified_name: ColumnElement[Any]) -> Any:
    """``MiniappUser.actor()`` of the user a statement writes, as expressions of that statement:
    the person's own name once verified (a verified name is known), else the WeChat user.
    ``tests/miniapp/test_login_statements.py`` compares the rows it writes with ``actor()``."""
    verified = verified_name.is_not(None)
    return _ActorInSql(
        case((verified, literal("person")), else_=literal("wechat_user")),
        case(
            (verified, literal("person:") + sql_cast(person_id, String)),
            else_=literal("wechat:") + sql_cast(user_id, String),
        ),
        func.coalesce(verified_name, literal("微信用户")),
    )


def _login_at_once() -> Any:
    """The whole login's writes as one statement on PostgreSQL: the user's upsert (``_RECORD_LOGIN``)
    as a data-modifying CTE, its session and its audit row as two more, each taking the user's id
    (and the verified name) from the first's RETURNING. One statement is one transaction by itself,
    so it runs outside an explicit one: the BEGIN and the COMMIT were two round trips more, and the
    three rows still commit together or not at all. It runs on the driver's connection
    (``DriverRead``), as the session check: SQLAlchemy's Connection around it cost about as much
    as the rest of the statement's part of the login. (SQLite has no data-modifying CTE: there the
    login is the unit of work's transaction of three statements.)"""
    user = _RECORD_LOGIN["postgresql"].cte("login_user")
    actor = _actor_in_sql(user.c.id, user.c.person_id, user.c.verified_name)
    audit = audit_insert(
        actor,
        "miniapp_login",
        literal("wechat_user:") + sql_cast(user.c.id, String),
        bindparam("now", type_=_WECHAT_USERS.c.last_login_at.type),
        # The details as text, cast: the statement runs on the driver, which binds values as they are.
        case(
            (user.c.new_user, sql_cast(literal(json.dumps({"new_user": True})), JSON)),
            else_=sql_cast(literal(json.dumps({"new_user": False})), JSON),
        ),
    )
    session = tokens.session_insert(sql_cast(user.c.id, String))
    statement = select(user.c.id, user.c.person_id, user.c.verified_name, user.c.new_user)
    return DriverRead(statement.add_cte(session.cte("login_session"), audit.cte("login_audit")))


_LOGIN_AT_ONCE = _login_at_once()


def _login_in_one_statement(services: Services, values: dict[str, Any]) -> tuple[MiniappUser, bool, str]:
    sid, session_values = tokens.session_params(services, tokens.MINIAPP)
    row = services.one_statement(_LOGIN_AT_ONCE, values | session_values | audit_params())
    if row is None:  # an upsert always brings its row back
        raise RuntimeError("the login's statement wrote no user")
    user, new_user = _written_user(values["openid"], row)
    return user, new_user, tokens.signed_token(services, tokens.MINIAPP, {"uid": user.id}, sid)


def _user_of(user_id: int, openid: str, person: Person | None) -> MiniappUser:
    verified = person is not None and person.verified_at is not None
    return MiniappUser(
        user_id, openid, person.id if verified and person else None, person.name if verified and person else None
    )


def authenticate(services: Services, token: str) -> MiniappUser:
    payload = tokens.read(services, tokens.MINIAPP, token)
    with services.uow() as uow:
        user = uow.session.get(WeChatUser, int(payload.get("uid") or 0))
        if user is None:
            raise AuthenticationFailed(msg.MINIAPP_USER_NOT_FOUND)
        person = uow.session.get(Person, user.person_id) if user.person_id else None
        return _user_of(user.id, user.openid, person)


def bind_phone(services: Services, user: MiniappUser, code: str) -> dict[str, Any]:
    """The phone number from a getPhoneNumber code (single use, 5 minutes), for this user's openid.

    Stored with its country code (``+86 13800138000``): a number from abroad stays callable.
    """
    try:
        phone = services.wechat().get_phone_number(code, user.openid)
    except PhoneNotForThisApp:
        raise ExternalServiceError(msg.PHONE_NOT_FOR_THIS_APP, hint=msg.PHONE_NOT_FOR_THIS_APP_HINT) from None
    except WeChatError as error:
        # 40003: the code was given to another WeChat user's button.
        if error.errcode in _BAD_CODE_ERRCODES or error.errcode == INVALID_OPENID:
            raise ValidationFailed.on("code", msg.PHONE_CODE_INVALID, hint=msg.PHONE_CODE_INVALID_HINT) from None
        raise
    now = services.now()
    with services.uow() as uow:
        row = uow.session.get_one(WeChatUser, user.id)
        row.phone = phone.international
        uow.audit(user.actor(), "phone_bound", f"wechat_user:{user.id}", now, {"country_code": phone.country_code})
        uow.commit()
    return {"phone": mask_mobile(phone.pure_number), "country_code": phone.country_code}


def present_phone(stored: str | None) -> dict[str, Any] | None:
    """``+86 13912345678`` → masked number and its country code; older rows hold the bare number."""
    if not stored:
        return None
    country_code, _, number = stored.removeprefix("+").rpartition(" ")
    return {"phone": mask_mobile(number), "country_code": country_code or "86"}
