"""The filing's life: statuses, the transitions allowed between them, and what is "open"."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from entryfiling import messages as msg
from entryfiling.domain.errors import Conflict

# Filings are dated and decided on the calendar of their users: China Standard Time.
CHINA_TIME = ZoneInfo("Asia/Shanghai")


class FilingStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    MANUAL_REVIEW = "manual_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    FilingStatus.DRAFT: "草稿",
    FilingStatus.SUBMITTED: "已提交",
    FilingStatus.MANUAL_REVIEW: "待人工审核",
    FilingStatus.APPROVED: "审批通过",
    FilingStatus.REJECTED: "审批不通过",
    FilingStatus.WITHDRAWN: "已撤回",
}

# A filing is "open" until it is decided or withdrawn: one open filing per business.
OPEN_STATUSES = frozenset({FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.MANUAL_REVIEW})
DECIDED_STATUSES = frozenset({FilingStatus.APPROVED, FilingStatus.REJECTED})
# A rejected or withdrawn filing can be copied into a new draft to fix and resubmit.
COPYABLE_STATUSES = frozenset({FilingStatus.REJECTED, FilingStatus.WITHDRAWN})

TRANSITIONS: dict[FilingStatus, frozenset[FilingStatus]] = {
    FilingStatus.DRAFT: frozenset({FilingStatus.SUBMITTED}),
    FilingStatus.SUBMITTED: frozenset(
        {FilingStatus.APPROVED, FilingStatus.REJECTED, FilingStatus.MANUAL_REVIEW, FilingStatus.WITHDRAWN}
    ),
    FilingStatus.MANUAL_REVIEW: frozenset({FilingStatus.APPROVED, FilingStatus.REJECTED, FilingStatus.WITHDRAWN}),
    FilingStatus.APPROVED: frozenset(),
    FilingStatus.REJECTED: frozenset(),
    FilingStatus.WITHDRAWN: frozenset(),
}


def check_transition(current: str, target: FilingStatus) -> None:
    if target not in TRANSITIONS[FilingStatus(current)]:
        raise Conflict(
            msg.STATUS_TRANSITION_REFUSED.format(
                current=STATUS_LABELS[FilingStatus(current)], target=STATUS_LABELS[target]
            )
        )


def require_draft(current: str) -> None:
    """Editing is only possible while the filing is a draft."""
    if current != FilingStatus.DRAFT:
        raise Conflict(msg.NOT_A_DRAFT.format(status=STATUS_LABELS[FilingStatus(current)]))


# How a reference reads anywhere (a letter's text layer or its QR code).
REFERENCE_PATTERN = r"JJ[0-9]{14,}"


def filing_reference(filing_id: int, created_at: datetime) -> str:
    """The 办件编号 users quote: JJ, the day it was opened (China time) and the id."""
    day = created_at.astimezone(CHINA_TIME)  # by hand: strftime doubled the cost of a records row's reference
    return f"JJ{day.year:04d}{day.month:02d}{day.day:02d}{filing_id:06d}"
