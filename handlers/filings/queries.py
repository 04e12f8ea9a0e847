"""Reading filings: one filing, 查询进疆信息报送记录 with the 草稿箱, and a draft as rules see it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from entryfiling import messages as msg
from entryfiling.db.models import Filing
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.filing import CHINA_TIME
from handlers.filings.common import attachment_counts, business_of, get_business, load_filing, unseal_sections
from handlers.filings.views import FilingSummary, FilingView, etag_of, filing_summary, filing_view
from handlers.pages import Page
from handlers.services import Actor, Services

# What filing_summary reads; the list loads nothing else.
SUMMARY_COLUMNS = (
    Filing.id,
    Filing.enterprise_id,
    Filing.business,
    Filing.enterprise_type,
    Filing.status,
    Filing.version,
    Filing.created_at,
    Filing.updated_at,
    Filing.submitted_at,
    Filing.decided_at,
    Filing.reasons,
)


def get_filing(services: Services, actor: Actor, filing_id: int) -> FilingView:
    with services.reader() as uow:
        return filing_view(services, uow.session, load_filing(uow, actor, filing_id))


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
    query = select(Filing).where(Filing.enterprise_id == actor.enterprise_id)
    if status:
        query = query.where(Filing.status == status)
    if business:
        query = query.where(Filing.business == get_business(business).key)
    if date_from:
        query = query.where(Filing.created_at >= _day_start(date_from))
    if date_to:
        query = query.where(Filing.created_at < _day_start(date_to + timedelta(days=1)))
    # One statement: the page and, beside each row, the count of all matches (a window over the
    # filter); only the columns a summary shows, not the JSON of sections and rule results.
    paged = (
        query.add_columns(func.count().over().label("total"))
        .options(load_only(*SUMMARY_COLUMNS))
        .order_by(Filing.created_at.desc(), Filing.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    with services.reader() as uow:
        rows = uow.session.execute(paged).all()
        # Past the last page there is no row to carry the count: then the count alone.
        total = rows[0].total if rows else uow.session.scalar(select(func.count()).select_from(query.subquery()))
        return Page([filing_summary(row.Filing) for row in rows], total or 0, page, page_size)


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
        filing = load_filing(uow, actor, filing_id)
        business = business_of(filing)
        return DraftState(
            filing.id,
            filing.enterprise_id,
            business,
            filing.status,
            etag_of(filing),
            unseal_sections(services, business, filing.sections),
            attachment_counts(filing),
            filing.enterprise_type,
        )
