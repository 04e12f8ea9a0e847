"""The logged-in enterprise's own view of itself: what is on record and its publicity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise
from entryfiling.domain.businesses import BUSINESSES, ENTERPRISE_TYPE_LABELS, EnterpriseType
from entryfiling.domain.errors import NotFound
from entryfiling.domain.fields import map_sensitive_record
from entryfiling.domain.validators import mask_id_number
from handlers.services import Actor, Services


def upsert_enterprise(session: Session, uscc: str, name: str, now: datetime) -> tuple[Enterprise, bool]:
    """The enterprise of a USCC, created on first sight; its name follows its latest certificate."""
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    created = enterprise is None
    if enterprise is None:
        enterprise = Enterprise(uscc=uscc, name=name, filed_record={}, created_at=now, updated_at=now)
        session.add(enterprise)
    elif enterprise.name != name:
        enterprise.name = name
        enterprise.updated_at = now
    session.flush()
    return enterprise, created


@dataclass(frozen=True)
class EnterpriseProfile:
    id: int
    name: str
    uscc: str
    enterprise_type: str | None
    enterprise_type_label: str | None
    filed: bool
    filed_at: datetime | None
    publicity_until: date | None
    publicity_lapsed: bool
    # The filed record as declared per section (JSON; ID numbers masked).
    filed_record: dict[str, Any]


def enterprise_profile(services: Services, actor: Actor) -> EnterpriseProfile:
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, actor.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        sections = {s.record_key: s for b in BUSINESSES.values() for s in b.sections if s.record_key}
        record = {
            key: map_sensitive_record(sections[key], values, lambda t: mask_id_number(services.cipher.decrypt(t)))
            if key in sections
            else values
            for key, values in enterprise.filed_record.items()
        }
        today = services.today()
        return EnterpriseProfile(
            id=enterprise.id,
            name=enterprise.name,
            uscc=enterprise.uscc,
            enterprise_type=enterprise.enterprise_type,
            enterprise_type_label=ENTERPRISE_TYPE_LABELS[EnterpriseType(enterprise.enterprise_type)]
            if enterprise.enterprise_type
            else None,
            filed=enterprise.filed_at is not None,
            filed_at=enterprise.filed_at,
            publicity_until=enterprise.publicity_until,
            publicity_lapsed=enterprise.publicity_until is not None and enterprise.publicity_until < today,
            filed_record=record,
        )
