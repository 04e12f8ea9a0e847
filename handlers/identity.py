"""Real-name verification (实名认证) of a mini-program user, and the one-ID-one-user rule.

Start: the name and ID number are checked here first (a bad check digit never reaches WeChat),
then the provider opens a session (WeChat: ``verify_id`` for ``wx.requestFacialVerify``).
Confirm: the provider's verdict is asked server-side; only a pass marks the person verified and
binds them to this WeChat user. Every attempt is kept with its evidence for audit.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.models import IdentityVerification, Person, WeChatUser
from entryfiling.domain.errors import Conflict, NotFound, ValidationFailed
from entryfiling.domain.validators import InvalidValue, mask_id_number, normalize_id_number
from handlers.services import Services
from handlers.wechat_users import MiniappUser

NAME_MIN = 2
NAME_MAX = 50


def clean_name(value: Any) -> str:
    """A person's name as on the ID card: 2–50 printable characters (minority names keep their ·)."""
    name = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if not NAME_MIN <= len(name) <= NAME_MAX or not all(ch.isprintable() for ch in name):
        raise ValidationFailed.on("name", msg.IDENTITY_NAME_INVALID)
    return name


def clean_id_number(value: Any) -> str:
    try:
        return normalize_id_number(value)
    except InvalidValue as error:
        text = f"身份证号：{error.message}"
        raise ValidationFailed.on("id_number", text) from None


def _holder_elsewhere(session: Any, indexes: list[str], user_id: int) -> bool:
    """Whether this ID number is already the verified identity of another WeChat user."""
    person_id = session.scalar(select(Person.id).where(Person.id_number_index.in_(indexes)))
    if person_id is None:
        return False
    holder = session.scalar(select(WeChatUser.id).where(WeChatUser.person_id == person_id))
    return holder is not None and holder != user_id


def start_verification(services: Services, user: MiniappUser, name: Any, id_number: Any) -> dict[str, Any]:
    name = clean_name(name)
    id_number = clean_id_number(id_number)
    index = services.cipher.blind_index(id_number)
    with services.uow() as uow:
        if user.person_id is not None:
            raise Conflict(msg.IDENTITY_ALREADY_VERIFIED.format(name=user.person_name))
        if _holder_elsewhere(uow.session, services.cipher.blind_indexes(id_number), user.id):
            raise Conflict(msg.IDENTITY_ID_BOUND_TO_OTHER, errors={"id_number": msg.IDENTITY_ID_BOUND_TO_OTHER})
    verifier = services.identity_verifier()
    out_seq_no = f"rn{secrets.token_hex(12)}"
    started = verifier.start(openid=user.openid, out_seq_no=out_seq_no, name=name, id_number=id_number)
    now = services.now()
    with services.uow() as uow:
        attempt = IdentityVerification(
            wechat_user_id=user.id,
            provider=verifier.name,
            out_seq_no=out_seq_no,
            verify_id=started.verify_id,
            name=name,
            id_number_sealed=services.cipher.encrypt(id_number),
            id_number_index=index,
            status="pending",
            created_at=now,
            expires_at=now + timedelta(seconds=started.expires_in),
        )
        uow.session.add(attempt)
        uow.session.flush()
        uow.audit(
            user.actor(),
            "identity_verification_started",
            f"identity_verification:{attempt.id}",
            now,
            {"provider": verifier.name, "out_seq_no": out_seq_no, "verify_id": started.verify_id},
        )
        uow.commit()
    return {
        "verify_id": started.verify_id,
        "expires_in": started.expires_in,
        "provider": verifier.name,
        "name": name,
        "id_number": mask_id_number(id_number),
    }


def confirm_verification(services: Services, user: MiniappUser, verify_id: str) -> dict[str, Any]:
    """Ask the provider; on a pass the person is verified and bound to this WeChat user."""
    with services.uow() as uow:
        attempt = uow.session.scalar(
            select(IdentityVerification).where(
                IdentityVerification.verify_id == verify_id, IdentityVerification.wechat_user_id == user.id
            )
        )
        if attempt is None:
            raise NotFound(msg.IDENTITY_VERIFICATION_NOT_FOUND)
        if attempt.status != "pending":
            raise Conflict(msg.IDENTITY_VERIFICATION_DONE.format(status=IDENTITY_STATUS_LABELS[attempt.status]))
        provider, out_seq_no, name = attempt.provider, attempt.out_seq_no, attempt.name
        id_number = services.cipher.decrypt(attempt.id_number_sealed)
    verifier = services.identity_verifier()
    outcome = verifier.check(
        openid=user.openid, out_seq_no=out_seq_no, verify_id=verify_id, name=name, id_number=id_number
    )
    now = services.now()
    refusal: str | None = None
    with services.uow() as uow:
        attempt = uow.session.scalar(
            select(IdentityVerification).where(IdentityVerification.verify_id == verify_id).with_for_update()
        )
        if attempt is None or attempt.status != "pending":  # a concurrent confirm got there first
            raise Conflict(msg.IDENTITY_VERIFICATION_DONE.format(status=IDENTITY_STATUS_LABELS["passed"]))
        attempt.result_code = outcome.code
        attempt.confirmed_at = now
        person: Person | None = None
        if outcome.status == "passed":
            person, refusal = _bind_person(services, uow.session, user, attempt, id_number, now)
        attempt.status = "failed" if refusal else outcome.status
        attempt.result_detail = refusal or outcome.reason or IDENTITY_STATUS_LABELS["passed"]
        details = {
            "provider": provider,
            "out_seq_no": out_seq_no,
            "verify_id": verify_id,
            "result_code": outcome.code,
            "status": attempt.status,
        }
        # A pass is audited under the name just verified; anything else under the WeChat user.
        actor = MiniappUser(user.id, user.openid, person.id, person.name).actor() if person else user.actor()
        uow.audit(actor, f"identity_verification_{attempt.status}", f"identity_verification:{attempt.id}", now, details)
        try:
            uow.commit()
        except IntegrityError:  # another user bound this ID number in the same instant
            uow.rollback()
            raise Conflict(msg.IDENTITY_ID_BOUND_TO_OTHER) from None
        if attempt.status == "passed" and person is not None:
            return {
                "verified": True,
                "name": person.name,
                "id_number": mask_id_number(id_number),
                "verified_at": now.isoformat(),
                "provider": provider,
            }
    if refusal is not None:
        raise Conflict(refusal, errors={"id_number": refusal})
    text = outcome.reason if outcome.status == "expired" else msg.IDENTITY_VERIFY_REFUSED.format(reason=outcome.reason)
    raise ValidationFailed(text, result=outcome.status, result_code=outcome.code)


def _bind_person(
    services: Services, session: Any, user: MiniappUser, attempt: IdentityVerification, id_number: str, now: Any
) -> tuple[Person | None, str | None]:
    """Find or register the person of this ID number and bind them to the user, once."""
    indexes = services.cipher.blind_indexes(id_number)  # every key's: rows may be mid-rotation
    if _holder_elsewhere(session, indexes, user.id):
        return None, msg.IDENTITY_ID_BOUND_TO_OTHER
    person = session.scalar(select(Person).where(Person.id_number_index.in_(indexes)))
    if person is None:
        person = Person(
            name=attempt.name,
            id_number_sealed=services.cipher.encrypt(id_number),
            id_number_index=services.cipher.blind_index(id_number),
            created_at=now,
        )
        session.add(person)
    person.name = attempt.name  # the name the provider just confirmed with the ID number
    person.verified_at = now
    session.flush()
    row = session.get(WeChatUser, user.id)
    row.person_id = person.id
    attempt.person_id = person.id
    return person, None


IDENTITY_STATUS_LABELS = {"pending": "待确认", "passed": "已通过", "failed": "未通过", "expired": "已过期"}
