"""``/me``: what the mini-program shows a user about themselves: identity, employments, where they may file."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from entryfiling.db.models import Employment, Enterprise, IdentityVerification, Person, WeChatUser
from entryfiling.domain.validators import mask_id_number
from handlers.employments import present_employment
from handlers.identity import IDENTITY_STATUS_LABELS
from handlers.services import Services
from handlers.wechat_users import MiniappUser, present_phone


def me(services: Services, user: MiniappUser) -> dict[str, Any]:
    """Identity state (masked), employments with history, and where this user may file."""
    with services.uow() as uow:
        row = uow.session.get_one(WeChatUser, user.id)
        person = uow.session.get(Person, row.person_id) if row.person_id else None
        pending = uow.session.scalar(
            select(IdentityVerification)
            .where(IdentityVerification.wechat_user_id == user.id)
            .order_by(IdentityVerification.id.desc())
            .limit(1)
        )
        identity: dict[str, Any] = {"verified": False, "name": None, "id_number": None, "verified_at": None}
        if person is not None and person.verified_at is not None:
            identity = {
                "verified": True,
                "name": person.name,
                "id_number": mask_id_number(services.cipher.decrypt(person.id_number_sealed)),
                "verified_at": person.verified_at.isoformat(),
            }
        if pending is not None:
            label = IDENTITY_STATUS_LABELS.get(pending.status, pending.status)
            identity["last_attempt"] = {
                "status": pending.status,
                "status_label": label,
                "provider": pending.provider,
                "at": pending.created_at.isoformat(),
                # Rows written before results were labelled say "passed": the person reads Chinese.
                "result": label if pending.result_detail == "passed" else pending.result_detail,
            }
        employments: list[dict[str, Any]] = []
        may_file_for: list[dict[str, Any]] = []
        if person is not None:
            rows = uow.session.execute(
                select(Employment, Enterprise)
                .join(Enterprise, Enterprise.id == Employment.enterprise_id)
                .where(Employment.person_id == person.id)
                .order_by(Employment.started_at.desc(), Employment.id.desc())
            ).all()
            employments = [present_employment(services, e, None, ent) for e, ent in rows]
            may_file_for = [
                {"id": ent.id, "name": ent.name, "uscc": ent.uscc}
                for e, ent in rows
                if e.ended_at is None and e.role == "filing_contact" and person.verified_at is not None
            ]
        return {
            "user": {"id": row.id, **(present_phone(row.phone) or {"phone": None, "country_code": None})},
            "identity": identity,
            "employments": employments,
            "may_file_for": may_file_for,
        }
