"""Mini-program users: WeChat login, our own bearer token, the phone number, ``me``.

The WeChat ``session_key`` is kept sealed on the server and never returned: a client holding it
could forge the data WeChat signs for us. Our token names only our user id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, update
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.models import Person, WeChatUser
from entryfiling.db.uow import UnitOfWork
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
    WeChatSession,
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
        """Audited under the person's own name once verified, else as the WeChat user."""
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
    sealed_key = services.cipher.encrypt(session.session_key)
    for _attempt in range(2):  # a concurrent first login of the same openid inserts once
        with services.uow() as uow:
            try:
                user_id, person_id, new_user = _record_login(uow, session, sealed_key, now)
            except IntegrityError:
                uow.rollback()
                continue
            person = uow.session.get(Person, person_id) if person_id else None
            user = _user_of(user_id, session.openid, person)
            uow.audit(user.actor(), "miniapp_login", f"wechat_user:{user_id}", now, {"new_user": new_user})
            token = tokens.issue_in(services, uow, tokens.MINIAPP, {"uid": user_id}, subject=str(user_id))
            uow.commit()
            return MiniappLogin(
                token, services.settings.token_ttl_seconds, user_id, new_user, user.person_id is not None
            )
    raise AuthenticationFailed(msg.MINIAPP_CODE_INVALID)


_WECHAT_USERS = cast(Table, WeChatUser.__table__)


def _record_login(
    uow: UnitOfWork, session: WeChatSession, sealed_key: str, now: datetime
) -> tuple[int, int | None, bool]:
    """(user id, person id, whether new): a returning user is one UPDATE … RETURNING, a first login
    one INSERT more. Core statements on the table: the login only writes these columns, so loading
    the row into the ORM and flushing it back would be two round trips and the unit-of-work's cost."""
    known = uow.session.execute(
        update(_WECHAT_USERS)
        .where(_WECHAT_USERS.c.openid == session.openid)
        .values(
            # A code2session without unionid (the app not bound to an open platform) keeps the known one.
            unionid=func.coalesce(session.unionid or None, _WECHAT_USERS.c.unionid),
            session_key_sealed=sealed_key,
            last_login_at=now,
        )
        .returning(_WECHAT_USERS.c.id, _WECHAT_USERS.c.person_id)
    ).first()
    if known is not None:
        return known.id, known.person_id, False
    created = uow.session.execute(
        insert(_WECHAT_USERS)
        .values(
            openid=session.openid,
            unionid=session.unionid or None,
            session_key_sealed=sealed_key,
            created_at=now,
            last_login_at=now,
        )
        .returning(_WECHAT_USERS.c.id)
    ).scalar_one()
    return created, None, True


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
