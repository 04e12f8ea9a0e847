"""What every filing use case starts with, written once: find the business, load the actor's
filing, check the ETag and that it is still an editable draft, and record status moves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.drafts import StoredDraft
from entryfiling.db.models import Filing, FilingEvent
from entryfiling.db.repositories import StoredFiling
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.businesses import BUSINESSES, Business
from entryfiling.domain.errors import NotFound, PreconditionFailed, PreconditionRequired, ValidationFailed
from entryfiling.domain.fields import Section, map_sensitive
from entryfiling.domain.filing import FilingStatus, check_transition, require_draft
from handlers.filings.views import etag_of
from handlers.services import Actor, Services


def get_business(key: str) -> Business:
    business = BUSINESSES.get(key)
    if business is None:
        raise ValidationFailed.on("business", msg.BUSINESS_UNKNOWN.format(business=key, options="、".join(BUSINESSES)))
    return business


# A filing as a use case reads it: loaded (ORM), read as a view shows it, or read for editing.
ReadFiling = Filing | StoredFiling | StoredDraft


def business_of(filing: ReadFiling) -> Business:
    """The filing's business as its enterprise type files it: per-type requiredness (the 安全生产许可证 of
    construction enterprises) resolved once, for completeness, saves, the guided flow and approval alike."""
    return get_business(filing.business).for_enterprise_type(filing.enterprise_type)


def get_section(business: Business, key: str) -> Section:
    section = business.section(key)
    if section is None:
        options = "、".join(f"{s.key}（{s.label}）" for s in business.sections)
        raise NotFound(msg.SECTION_UNKNOWN.format(section=key, options=options))
    return section


def load_filing(uow: UnitOfWork, actor: Actor, filing_id: int, *, for_update: bool = False) -> Filing:
    """The actor's enterprise's filing; another enterprise's filing is simply not found."""
    return uow.filings.of_enterprise(actor.enterprise_id, filing_id, for_update=for_update)


@dataclass(frozen=True)
class Draft:
    filing: Filing
    business: Business


def load_draft(
    uow: UnitOfWork, actor: Actor, filing_id: int, *, if_match: str | None = None, etag_required: bool = False
) -> Draft:
    """The actor's filing, still a draft, with its business; with ``etag_required`` the request's
    If-Match must name its current version (saving needs it, uploading does not)."""
    filing = load_filing(uow, actor, filing_id)
    business = business_of(filing)
    if etag_required:
        check_if_match(filing, if_match)
    require_draft(filing.status)
    return Draft(filing, business)


def check_if_match(filing: ReadFiling, if_match: str | None) -> None:
    if not if_match:
        raise PreconditionRequired(msg.IF_MATCH_REQUIRED, hint=msg.IF_MATCH_REQUIRED_HINT)
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and etag_of(filing) not in tags:
        raise PreconditionFailed(msg.IF_MATCH_STALE, etag=etag_of(filing), hint=msg.IF_MATCH_STALE_HINT)


def changed_meanwhile() -> PreconditionFailed:
    """The 412 of a write whose filing changed after it was read (its version moved on)."""
    return PreconditionFailed(msg.IF_MATCH_STALE, hint=msg.IF_MATCH_STALE_HINT)


def commit_or_stale(uow: UnitOfWork) -> None:
    """Commit; a concurrent change of the same filing (version mismatch) becomes a clean 412."""
    try:
        uow.commit()
    except StaleDataError:
        uow.rollback()
        raise changed_meanwhile() from None


def unseal_sections(
    services: Services, business: Business, stored: Mapping[str, Any], *, opened: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Stored section values with ID numbers decrypted, for rules and letters (never for responses);
    ``opened``: ID numbers the use case sealed itself, by token, taken as they are."""
    decrypt = services.cipher.decrypt
    open_token = decrypt if not opened else lambda token: opened[token] if token in opened else decrypt(token)
    return {
        section.key: map_sensitive(section, stored[section.key], open_token)
        for section in business.sections
        if section.key in stored
    }


def attachment_counts(filing: ReadFiling) -> Counter[str]:
    return Counter(a.kind for a in filing.attachments)


def add_event(
    filing: Filing,
    actor: Actor,
    from_status: str | None,
    to_status: FilingStatus,
    at: datetime,
    note: list[str] | None = None,
) -> None:
    filing.events.append(
        FilingEvent(from_status=from_status, to_status=to_status, actor=actor.as_dict(), note=note or [], at=at)
    )


def move(filing: Filing, actor: Actor, target: FilingStatus, at: datetime, note: list[str] | None = None) -> None:
    check_transition(filing.status, target)
    add_event(filing, actor, filing.status, target, at, note)
    filing.status = target
    filing.updated_at = at
