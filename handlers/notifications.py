"""Notifications: the outbox rows a decision or a reminder leaves, their WeChat push, the inbox.

A notice is written as a row in the same transaction as the event it tells about (the decision,
the reminder run), then handed to the job queue once that transaction is committed. The row is
the inbox entry too, so a push WeChat refuses (no consent, bad openid) or that fails for good
loses nothing: the user reads it in the mini-program's 消息 list.

Who is told of a decision: the person who submitted it, when they submitted from the
mini-program (they are a WeChat user). A filing submitted with the enterprise's CA certificate
has no WeChat user behind it; then the enterprise's current filing contacts (报送联系人, verified
and bound in the mini-program) are told instead, each once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.inserts import insert_new_rows
from entryfiling.db.models import Employment, Filing, Notification, Person, WeChatUser
from entryfiling.domain.businesses import Business
from entryfiling.domain.filing import FilingStatus, filing_reference
from entryfiling.domain.notifications import (
    FILING_RESULT,
    PUSHED_STATUSES,
    RESULT_PHRASES,
    NotificationKind,
    PushState,
    result_remark,
    wechat_time,
)
from handlers.persons import FILING_CONTACT
from handlers.services import Services

log = logging.getLogger(__name__)

PUSH_JOB = "push_notification"
JOB_ID_PREFIX = "notification-"
# A push that has not moved for this long lost its job (never queued, worker gone): the sweep
# hands it to the queue again. One stuck in "sending" is not resent: WeChat may have it already.
LOST_AFTER = timedelta(minutes=5)
SENDING_STALE_AFTER = timedelta(minutes=15)
SWEEP_LIMIT = 500


def push_retry_intervals(services: Services) -> tuple[int, ...]:
    """The waits before each retry of a push, as the job runtime schedules them (none without one)."""
    return services.dispatcher.retry_intervals(PUSH_JOB) if services.dispatcher else ()


def max_push_attempts(services: Services) -> int:
    return 1 + len(push_retry_intervals(services))


# ---------------------------------------------------------------------------- recipients


# Built once, the ids bound at execution (every decision asks one of them).
_FILING_CONTACT_USERS = (
    select(WeChatUser.id)
    .join(Person, Person.id == WeChatUser.person_id)
    .join(Employment, Employment.person_id == Person.id)
    .where(
        Employment.enterprise_id == bindparam("eid"),
        Employment.role == FILING_CONTACT,
        Employment.ended_at.is_(None),
        Person.verified_at.is_not(None),
    )
    .order_by(WeChatUser.id)
    .distinct()
)
_USER_OF_PERSON = select(WeChatUser.id).where(WeChatUser.person_id == bindparam("pid"))


def filing_contact_users(session: Session, enterprise_id: int) -> list[int]:
    """WeChat users of the enterprise's current, verified filing contacts."""
    return list(session.scalars(_FILING_CONTACT_USERS, {"eid": enterprise_id}).all())


def decision_recipients(session: Session, filing: Filing) -> list[int]:
    """The submitter if they are a mini-program user, else the enterprise's filing contacts."""
    submitter = filing.submitted_by or {}
    kind, _, ident = str(submitter.get("id", "")).partition(":")
    if submitter.get("kind") == "person" and kind == "person" and ident.isdigit():
        user_id = session.scalar(_USER_OF_PERSON, {"pid": int(ident)})
        if user_id is not None:
            return [user_id]
    if submitter.get("kind") == "wechat_user" and kind == "wechat" and ident.isdigit():
        return [int(ident)]
    return filing_contact_users(session, filing.enterprise_id)


# ---------------------------------------------------------------------------- recording notices


@dataclass(frozen=True)
class Notice:
    """What one notice says, to whom it goes, and (unless inbox-only) the push it makes."""

    key: str
    kind: NotificationKind
    wechat_user_id: int
    title: str
    body: str
    template_id: str
    payload: dict[str, Any]
    page: str | None
    enterprise_id: int | None
    filing_id: int | None = None
    push: bool = True


def _row_of(notice: Notice, now: datetime) -> dict[str, Any]:
    return {
        "key": notice.key,
        "kind": notice.kind,
        "wechat_user_id": notice.wechat_user_id,
        "enterprise_id": notice.enterprise_id,
        "filing_id": notice.filing_id,
        "title": notice.title[:200],
        "body": notice.body,
        "template_id": notice.template_id,
        "page": notice.page,
        "payload": notice.payload,
        "state": PushState.PENDING if notice.push else PushState.INBOX_ONLY,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


def add_notices(session: Session, notices: Iterable[Notice], now: datetime) -> list[int]:
    """Record the notices whose key is new, in one statement: the ids of those recorded now; a notice
    whose key exists (a decision or a reminder told before) is recorded once, never twice."""
    table = Notification.__table__
    assert isinstance(table, Table)
    return insert_new_rows(session, table, [_row_of(n, now) for n in notices], "key")


def record_decision_notices(
    services: Services,
    uow: Any,
    filing: Filing,
    business: Business,
    status: FilingStatus,
    reasons: list[str],
    now: datetime,
) -> None:
    """In the decision's transaction: one notice per recipient; pushed after the commit."""
    phrase = RESULT_PHRASES.get(status)
    if phrase is None:
        return
    session = uow.session
    if filing.id is None or filing.created_at is None:
        session.flush()  # the filing's id and created_at are needed for its reference
    reference = filing_reference(filing.id, filing.created_at)
    remark = result_remark(status, reasons)
    values = {
        "business": business.label,
        "result": phrase,
        "remark": remark,
        "decided_at": wechat_time(now),
        "reference": reference,
    }
    pushed = status in PUSHED_STATUSES
    if pushed:
        body = msg.NOTIFY_RESULT_BODY.format(reference=reference, result=phrase, at=values["decided_at"], remark=remark)
    else:
        body = msg.NOTIFY_MANUAL_REVIEW_BODY.format(reference=reference, remark=remark)
    page = f"{services.settings.miniapp_filing_page}?enterprise_id={filing.enterprise_id}&filing_id={filing.id}"
    notices = [
        Notice(
            key=f"result:{filing.id}:{status.value}:u{user_id}",
            kind=NotificationKind.FILING_RESULT,
            wechat_user_id=user_id,
            title=msg.NOTIFY_RESULT_TITLE.format(business=business.label, result=phrase),
            body=body,
            template_id=services.settings.wechat_result_template_id,
            payload=FILING_RESULT.data(values),
            page=page,
            enterprise_id=filing.enterprise_id,
            filing_id=filing.id,
            push=pushed,
        )
        for user_id in decision_recipients(session, filing)
    ]
    recorded = add_notices(session, notices, now)
    if recorded and pushed:
        uow.after_commit(lambda: dispatch_pushes(services, recorded))


def dispatch_pushes(services: Services, notification_ids: Iterable[int]) -> int:
    """Hand pushes to the job queue. A queue that is down leaves the rows pending for the sweep:
    the decision that made them is already committed and must not fail because of it."""
    dispatched = 0
    for notification_id in notification_ids:
        try:
            if services.dispatcher is None:
                raise RuntimeError("no job dispatcher configured")
            services.dispatcher.dispatch(PUSH_JOB, f"{JOB_ID_PREFIX}{notification_id}")
            dispatched += 1
        except Exception:
            log.warning("push of notification %s not queued; the sweep will retry", notification_id, exc_info=True)
    return dispatched
