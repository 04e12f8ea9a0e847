"""Employment invitations (聘用邀请): the enterprise invites by code or 小程序码, the person previews
and accepts on the phone.

An invitation is single use: it is claimed with one conditional UPDATE, so a replayed or
concurrent acceptance finds it taken. What accepting does to the person's roles is said before it
happens and needs a confirmation when a role would be replaced.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, EmploymentInvitation, Enterprise
from entryfiling.domain.errors import Conflict, ExternalServiceError, NotFound, PermissionDenied, ValidationFailed
from entryfiling.domain.filing import CHINA_TIME
from entryfiling.domain.roles import ABILITIES, SHORT_ROLE_LABELS, RoleChange
from entryfiling.integrations.wechat import WeChatError
from handlers.auth import check_rate_limit
from handlers.employments import ROLES, current_employment, present_employment
from handlers.persons import page_envelope
from handlers.services import Actor, Services
from handlers.wechat_users import MiniappUser

INVITATION_STATUS_LABELS = {"pending": "待接受", "accepted": "已接受", "expired": "已过期", "revoked": "已作废"}
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
QR_PREFIX = "entryfiling:invitation:"
ACCEPT_ATTEMPTS_PER_MINUTE = 10
_CODE_TRIES = 5


def _invitation_status(invitation: EmploymentInvitation, now: Any) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


def present_invitation(invitation: EmploymentInvitation, now: Any) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "role": invitation.role,
        "role_label": ROLES.get(invitation.role, invitation.role),
        "code": invitation.code,
        "qr_payload": QR_PREFIX + invitation.code,
        "note": invitation.note,
        "status": _invitation_status(invitation, now),
        "status_label": INVITATION_STATUS_LABELS[_invitation_status(invitation, now)],
        "created_at": invitation.created_at.isoformat(),
        "expires_at": invitation.expires_at.isoformat(),
        "accepted_at": invitation.accepted_at.isoformat() if invitation.accepted_at else None,
        "employment_id": invitation.employment_id,
    }


def create_invitation(
    services: Services, actor: Actor, role: str, note: str | None = None, ttl_hours: int | None = None
) -> dict[str, Any]:
    if role not in ROLES:
        text = msg.INVITATION_ROLE_UNKNOWN.format(role=role, options="、".join(ROLES))
        raise ValidationFailed.on("role", text)
    now = services.now()
    ttl = timedelta(hours=ttl_hours) if ttl_hours else timedelta(seconds=services.settings.invitation_ttl_seconds)
    for _try in range(_CODE_TRIES):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with services.uow() as uow:
            invitation = EmploymentInvitation(
                enterprise_id=actor.enterprise_id,
                role=role,
                code=code,
                note=(note or "").strip()[:100] or None,
                created_by=actor.as_dict()
                | {"certificate_uscc": actor.certificate_uscc, "certificate_name": actor.certificate_name},
                created_at=now,
                expires_at=now + ttl,
            )
            uow.session.add(invitation)
            try:
                uow.session.flush()
            except IntegrityError:  # code collision: draw again
                uow.rollback()
                continue
            uow.audit(actor, "invitation_created", f"invitation:{invitation.id}", now, {"role": role})
            uow.commit()
            return present_invitation(invitation, now)
    raise Conflict(msg.SUBMIT_CONCURRENT)


def list_invitations(services: Services, actor: Actor, page: int, page_size: int) -> dict[str, Any]:
    now = services.now()
    query = select(EmploymentInvitation).where(EmploymentInvitation.enterprise_id == actor.enterprise_id)
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.scalars(
            query.order_by(EmploymentInvitation.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        return page_envelope([present_invitation(i, now) for i in rows], total, page, page_size)


def _enterprise_invitation(session: Session, actor: Actor, invitation_id: int) -> EmploymentInvitation:
    """One of the actor's enterprise's invitations; another enterprise's is simply not found."""
    invitation = session.scalar(
        select(EmploymentInvitation).where(
            EmploymentInvitation.id == invitation_id, EmploymentInvitation.enterprise_id == actor.enterprise_id
        )
    )
    if invitation is None:
        raise NotFound(msg.INVITATION_NOT_FOUND)
    return invitation


def revoke_invitation(services: Services, actor: Actor, invitation_id: int) -> dict[str, Any]:
    now = services.now()
    with services.uow() as uow:
        invitation = _enterprise_invitation(uow.session, actor, invitation_id)
        if _invitation_status(invitation, now) not in ("pending", "expired"):
            raise Conflict(msg.INVITATION_NOT_PENDING)
        invitation.revoked_at = now
        uow.audit(actor, "invitation_revoked", f"invitation:{invitation.id}", now)
        uow.commit()
        return present_invitation(invitation, now)


def normalise_code(raw: str) -> str:
    """The code as typed, scanned from the QR payload, or passed as the 小程序码's scene."""
    text = (raw or "").strip()
    if text.lower().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    return text.replace("-", "").replace(" ", "").upper()


def _find_invitation(session: Session, raw_code: str) -> EmploymentInvitation:
    invitation = session.scalar(
        select(EmploymentInvitation).where(EmploymentInvitation.code == normalise_code(raw_code))
    )
    if invitation is None:
        raise NotFound(msg.INVITATION_NOT_FOUND, errors={"code": msg.INVITATION_NOT_FOUND})
    return invitation


def _effect(change: RoleChange, enterprise: str) -> str:
    role = SHORT_ROLE_LABELS[change.invited]
    abilities = "；".join(ABILITIES[change.invited])
    if change.needs_confirmation:
        current = SHORT_ROLE_LABELS[change.current or ""]
        return msg.INVITATION_EFFECT_LOSES.format(
            enterprise=enterprise, current=current, role=role, lost="、".join(change.lost)
        )
    if change.replaces:
        current = SHORT_ROLE_LABELS[change.current or ""]
        return msg.INVITATION_EFFECT_REPLACES.format(
            enterprise=enterprise, current=current, role=role, abilities=abilities
        )
    return msg.INVITATION_EFFECT_NEW.format(enterprise=enterprise, role=role, abilities=abilities)


def preview_invitation(services: Services, user: MiniappUser, raw_code: str) -> dict[str, Any]:
    """Which enterprise invites, for which role, and what accepting would change, before accepting."""
    check_rate_limit(services, f"invitation-accept:{user.id}", ACCEPT_ATTEMPTS_PER_MINUTE)
    now = services.now()
    with services.uow() as uow:
        invitation = _find_invitation(uow.session, raw_code)
        refuse_unusable(invitation, now)
        enterprise = uow.session.get_one(Enterprise, invitation.enterprise_id)
        current = current_employment(uow.session, user.person_id, invitation.enterprise_id)
        change = RoleChange(current.role if current else None, invitation.role)
        already = current is not None and not change.replaces
        return {
            "code": invitation.code,
            "enterprise": {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc},
            "role": invitation.role,
            "role_label": ROLES[invitation.role],
            "expires_at": invitation.expires_at.isoformat(),
            "current_role": change.current,
            "current_role_label": SHORT_ROLE_LABELS.get(change.current or ""),
            "effect": msg.PERSON_ALREADY_EMPLOYED if already else _effect(change, enterprise.name),
            "needs_confirmation": change.needs_confirmation,
            "can_accept": user.person_id is not None and not already,
            "blocked_by": None if user.person_id is not None else msg.INVITATION_NEEDS_VERIFICATION,
        }


def invitation_wxacode(services: Services, actor: Actor, invitation_id: int) -> bytes:
    """The 小程序码 of a pending invitation (wxacode.getUnlimited, scene = the invitation code)."""
    now = services.now()
    with services.uow() as uow:
        invitation = _enterprise_invitation(uow.session, actor, invitation_id)
        refuse_unusable(invitation, now)
        code = invitation.code
    try:
        return services.wechat().get_unlimited_code(code, services.settings.miniapp_invitation_page)
    except WeChatError as error:
        raise ExternalServiceError(
            msg.WXACODE_FAILED, hint=msg.WXACODE_FAILED_HINT.format(errcode=error.errcode)
        ) from None


def accept_invitation(
    services: Services, user: MiniappUser, raw_code: str, *, confirm_role_change: bool = False
) -> dict[str, Any]:
    """A verified person takes an invitation: a new current employment with its role.

    A person holds one current role per enterprise; a change of role that would take something
    away (a filing contact becoming an employee) happens only once the person confirmed it.
    """
    if user.person_id is None:
        raise PermissionDenied(msg.PERSON_NOT_VERIFIED_SELF)
    check_rate_limit(services, f"invitation-accept:{user.id}", ACCEPT_ATTEMPTS_PER_MINUTE)
    now = services.now()
    actor = user.actor()
    with services.uow() as uow:
        invitation = _find_invitation(uow.session, raw_code)
        refuse_unusable(invitation, now)
        current = current_employment(uow.session, user.person_id, invitation.enterprise_id)
        if current is not None and current.role == invitation.role:
            raise Conflict(msg.PERSON_ALREADY_EMPLOYED)
        change = RoleChange(current.role if current else None, invitation.role)
        if change.needs_confirmation and not confirm_role_change:
            name = uow.session.get_one(Enterprise, invitation.enterprise_id).name
            raise Conflict(
                msg.INVITATION_ROLE_CHANGE_UNCONFIRMED.format(
                    enterprise=name, current=SHORT_ROLE_LABELS[change.current or ""], lost="、".join(change.lost)
                ),
                needs_confirmation=True,
                hint=msg.INVITATION_ROLE_CHANGE_HINT,
            )
        claimed = uow.session.execute(
            update(EmploymentInvitation)
            .where(
                EmploymentInvitation.id == invitation.id,
                EmploymentInvitation.accepted_at.is_(None),
                EmploymentInvitation.revoked_at.is_(None),
                EmploymentInvitation.expires_at > now,
            )
            .values(accepted_at=now, accepted_by_person_id=user.person_id)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(msg.INVITATION_USED)
        replaced = None
        if current is not None:  # a change of role: the old one ends, the history shows both
            current.ended_at = now
            current.ended_by = actor.as_dict()
            replaced = {"id": current.id, "role": current.role, "role_label": ROLES[current.role]}
        employment = Employment(
            person_id=user.person_id, enterprise_id=invitation.enterprise_id, role=invitation.role, started_at=now
        )
        uow.session.add(employment)
        uow.session.flush()
        uow.session.execute(
            update(EmploymentInvitation)
            .where(EmploymentInvitation.id == invitation.id)
            .values(employment_id=employment.id)
        )
        uow.audit(
            actor,
            "employment_started",
            f"employment:{employment.id}",
            now,
            {
                "person_id": user.person_id,
                "role": invitation.role,
                "invitation": invitation.id,
                "replaced_role": replaced["role"] if replaced else None,
            },
            enterprise_id=invitation.enterprise_id,
        )
        uow.commit()
        enterprise = uow.session.get_one(Enterprise, invitation.enterprise_id)
        return present_employment(services, employment, None, enterprise) | {"replaced": replaced}


def refuse_unusable(invitation: EmploymentInvitation, now: Any) -> None:
    status = _invitation_status(invitation, now)
    if status == "revoked":
        raise Conflict(msg.INVITATION_REVOKED, errors={"code": msg.INVITATION_REVOKED})
    if status == "accepted":
        raise Conflict(msg.INVITATION_USED, errors={"code": msg.INVITATION_USED})
    if status == "expired":
        at = invitation.expires_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
        raise Conflict(msg.INVITATION_EXPIRED.format(at=at), errors={"code": msg.INVITATION_EXPIRED.format(at=at)})
