"""Reading filings: one filing, 查询进疆信息报送记录 with the 草稿箱, and a draft as rules see it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.repositories import FilingFilters, FilingReads
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.filing import CHINA_TIME
from handlers.filings.common import (
    ReadFiling,
    attachment_counts,
    business_of,
    get_business,
    load_filing,
    unseal_sections,
)
from handlers.filings.views import FilingSummary, FilingView, etag_of, filing_summary, filing_view
from handlers.pages import Page
from handlers.services import Actor, Services


def get_filing(services: Services, actor: Actor, filing_id: int) -> FilingView:
    """The detail, read with Core statements on the read connection (no ORM: the hottest read)."""
    with services.read_connection() as connection:
        return filing_view(services, connection, FilingReads(connection).of_enterprise(actor.enterprise_id, filing_id))


def list_filings(
    services: Services,
    actor: Actor,
    *,
    status: str | None = None,
    business: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[FilingSummary]:
    """查询进疆信息报送记录 and the 草稿箱 (status=draft), newest first."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed.on("date_from", msg.DATE_RANGE_INVALID)
    filters = FilingFilters(
        status=status or None,
        business=get_business(business).key if business else None,
        created_from=_day_start(date_from) if date_from else None,
        created_before=_day_start(date_to + timedelta(days=1)) if date_to else None,
    )
    with services.read_connection() as connection:
        rows, total = FilingReads(connection).page(
            actor.enterprise_id, filters, offset=(page - 1) * page_size, limit=page_size
        )
        return Page([filing_summary(row) for row in rows], total, page, page_size)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TIME)


@dataclass(frozen=True)
class DraftState:
    """A filing's content as the rules see it (ID numbers in clear): for guided filling, never responses."""

    filing_id: int
    enterprise_id: int
    business: Business
    status: str
    etag: str
    sections: dict[str, dict[str, Any]]
    attachment_counts: Counter[str]
    enterprise_type: str = ""


def draft_state(services: Services, actor: Actor, filing_id: int) -> DraftState:
    with services.uow() as uow:
        return draft_state_of(services, load_filing(uow, actor, filing_id))


def draft_state_of(services: Services, filing: ReadFiling, *, opened: Mapping[str, str] | None = None) -> DraftState:
    """The draft as rules see it, from a filing already loaded (and its access checked); ``opened``:
    ID numbers the use case sealed itself, by token (not decrypted again)."""
    business = business_of(filing)
    return DraftState(
        filing.id,
        filing.enterprise_id,
        business,
        filing.status,
        etag_of(filing),
        unseal_sections(services, business, filing.sections, opened=opened),
        attachment_counts(filing),
        filing.enterprise_type,
    )
