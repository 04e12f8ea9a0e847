"""Mini-program users: WeChat login, our own bearer token, the phone number, ``me``.

The WeChat ``session_key`` is kept sealed on the server and never returned: a client holding it
could forge the data WeChat signs for us. Our token names only our user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.models import Person, WeChatUser
from entryfiling.domain.errors import AuthenticationFailed, RateLimited, ValidationFailed
from entryfiling.domain.validators import mask_mobile
from entryfiling.integrations.wechat import CODE2SESSION_RATE_LIMITED, INVALID_CODE, WeChatError
from handlers import lockout, tokens
from handlers.services import Actor, Services

# WeChat: 40029 invalid code, 40163 code already used.
_BAD_CODE_ERRCODES = frozenset({INVALID_CODE, 40163})


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
        if error.errcode in _BAD_CODE_ERRCODES:
            raise AuthenticationFailed(msg.MINIAPP_CODE_INVALID, errors={"code": msg.MINIAPP_CODE_INVALID}) from None
        if error.errcode == CODE2SESSION_RATE_LIMITED:
            raise RateLimited(msg.MINIAPP_LOGIN_RATE_LIMITED, retry_after=60) from None
        raise
    now = services.now()
    sealed_key = services.cipher.encrypt(session.session_key)
    for _attempt in range(2):  # a concurrent first login of the same openid inserts once
        with services.uow() as uow:
            user = uow.session.scalar(select(WeChatUser).where(WeChatUser.openid == session.openid))
            new_user = user is None
            if user is None:
                user = WeChatUser(openid=session.openid, created_at=now, last_login_at=now)
                uow.session.add(user)
            user.unionid = session.unionid or user.unionid
            user.session_key_sealed = sealed_key
            user.last_login_at = now
            try:
                uow.session.flush()
            except IntegrityError:
                uow.rollback()
                continue
            person = uow.session.get(Person, user.person_id) if user.person_id else None
            actor = _user_of(user, person).actor()
            uow.audit(actor, "miniapp_login", f"wechat_user:{user.id}", now, {"new_user": new_user})
            uow.commit()
            token = tokens.issue(services, tokens.MINIAPP, {"uid": user.id}, subject=str(user.id))
            return MiniappLogin(token, services.settings.token_ttl_seconds, user.id, new_user, person is not None)
    raise AuthenticationFailed(msg.MINIAPP_CODE_INVALID)


def _user_of(user: WeChatUser, person: Person | None) -> MiniappUser:
    verified = person is not None and person.verified_at is not None
    return MiniappUser(
        user.id, user.openid, person.id if verified and person else None, person.name if verified and person else None
    )


def authenticate(services: Services, token: str) -> MiniappUser:
    payload = tokens.read(services, tokens.MINIAPP, token)
    with services.uow() as uow:
        user = uow.session.get(WeChatUser, int(payload.get("uid") or 0))
        if user is None:
            raise AuthenticationFailed(msg.MINIAPP_USER_NOT_FOUND)
        person = uow.session.get(Person, user.person_id) if user.person_id else None
        return _user_of(user, person)


def bind_phone(services: Services, user: MiniappUser, code: str) -> dict[str, Any]:
    """The phone number from a getPhoneNumber code (single use, 5 minutes)."""
    try:
        phone = services.wechat().get_phone_number(code)
    except WeChatError as error:
        if error.errcode in _BAD_CODE_ERRCODES:
            raise ValidationFailed.on("code", msg.PHONE_CODE_INVALID) from None
        raise
    now = services.now()
    with services.uow() as uow:
        row = uow.session.get_one(WeChatUser, user.id)
        row.phone = phone
        uow.audit(user.actor(), "phone_bound", f"wechat_user:{user.id}", now)
        uow.commit()
    return {"phone": mask_mobile(phone)}
