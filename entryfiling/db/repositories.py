"""Repositories: how use cases find filings and enterprises, written once.

Another enterprise's filing is simply not found, so a guessed id reveals nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, joinedload

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise, Filing, FilingConversation
from entryfiling.domain.errors import NotFound
from entryfiling.domain.filing import OPEN_STATUSES, FilingStatus


def _owned_by(enterprise_id: int | None, filing_id: int) -> tuple[ColumnElement[bool], ...]:
    """The filing, if it is this enterprise's: another's is simply not found."""
    return Filing.id == filing_id, Filing.enterprise_id == enterprise_id


_WITH_REMEMBERED = (
    select(Filing, FilingConversation.state)
    .outerjoin(FilingConversation, FilingConversation.filing_id == Filing.id)
    .options(joinedload(Filing.attachments))
)


class FilingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, filing: Filing) -> Filing:
        """Add a new filing and give it its id."""
        self.session.add(filing)
        self.session.flush()
        return filing

    def of_enterprise(self, enterprise_id: int | None, filing_id: int, *, for_update: bool = False) -> Filing:
        return self._one(select(Filing).where(*_owned_by(enterprise_id, filing_id)), for_update)

    def of_enterprise_with_remembered(self, enterprise_id: int | None, filing_id: int) -> tuple[Filing, Any]:
        """``of_enterprise`` with its attachments and what the guided flows remember of it (the stored
        state, ``None`` before the first), in one statement: the only read of a guided answer."""
        rows = self.session.execute(_WITH_REMEMBERED.where(*_owned_by(enterprise_id, filing_id)))
        # One row per attachment (joined): unique by the filing (the stored state, JSON, is unhashable).
        found = rows.unique(lambda row: row[0].id).one_or_none()
        if found is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        return found[0], found[1]

    def submitted(self, filing_id: int, *, for_update: bool = False) -> Filing:
        """Any enterprise's filing once submitted (for regulators); a draft stays the enterprise's own."""
        return self._one(select(Filing).where(Filing.id == filing_id, Filing.status != FilingStatus.DRAFT), for_update)

    def _one(self, query: Select[Filing], for_update: bool) -> Filing:
        filing = self.session.scalar(query.with_for_update() if for_update else query)
        if filing is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        return filing

    def open_one(self, enterprise_id: int, business_key: str) -> Filing | None:
        """The enterprise's filing of this business still open (draft or in progress), if any."""
        return self.session.scalar(
            select(Filing)
            .where(
                Filing.enterprise_id == enterprise_id,
                Filing.business == business_key,
                Filing.status.in_(OPEN_STATUSES),
            )
            .order_by(Filing.id)
        )

    def count_other_open(self, filing: Filing) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Filing)
                .where(
                    Filing.enterprise_id == filing.enterprise_id,
                    Filing.business == filing.business,
                    Filing.status.in_(OPEN_STATUSES),
                    Filing.id != filing.id,
                )
            )
            or 0
        )

    def enterprise(self, enterprise_id: int | None, *, for_update: bool = False) -> Enterprise:
        """An enterprise; ``for_update`` serialises approvals that rewrite its filed record."""
        enterprise = self.session.get(Enterprise, enterprise_id, with_for_update=for_update) if enterprise_id else None
        if enterprise is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        return enterprise
