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

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Filing, Notification, Person, WeChatUser
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import NotFound, ValidationFailed
from entryfiling.domain.filing import FilingStatus
from entryfiling.domain.notifications import (
    CLAIMABLE,
    FILING_RESULT,
    PUSH_STATE_LABELS,
    PUSHED_STATUSES,
    RESULT_PHRASES,
    NotificationKind,
    PushState,
    is_transient,
    result_remark,
    wechat_time,
)
from entryfiling.integrations.wechat import WeChatError
from handlers.jobs import JobAttemptFailed
from handlers.persons import FILING_CONTACT, page_envelope
from handlers.services import Services
from handlers.subscriptions import deliver_subscribe_message
from handlers.views import reference_of
from handlers.wechat_users import MiniappUser

log = logging.getLogger(__name__)

PUSH_JOB = "push_notification"
JOB_ID_PREFIX = "notification-"
# A push that has not moved for this long lost its job (never queued, worker gone): the sweep
# hands it to the queue again. One stuck in "sending" is not resent: WeChat may have it already.
LOST_AFTER = timedelta(minutes=5)
SENDING_STALE_AFTER = timedelta(minutes=15)
SWEEP_LIMIT = 500
MAX_MARK_IDS = 100


def _push_retry_intervals() -> tuple[int, ...]:
    from jobs.queues import JOBS

    return JOBS[PUSH_JOB].retry_intervals


def max_push_attempts() -> int:
    return 1 + len(_push_retry_intervals())


# ---------------------------------------------------------------------------- recipients


def filing_contact_users(session: Session, enterprise_id: int) -> list[int]:
    """WeChat users of the enterprise's current, verified filing contacts."""
    return list(
        session.scalars(
            select(WeChatUser.id)
            .join(Person, Person.id == WeChatUser.person_id)
            .join(Employment, Employment.person_id == Person.id)
            .where(
                Employment.enterprise_id == enterprise_id,
                Employment.role == FILING_CONTACT,
                Employment.ended_at.is_(None),
                Person.verified_at.is_not(None),
            )
            .order_by(WeChatUser.id)
            .distinct()
        ).all()
    )


def decision_recipients(session: Session, filing: Filing) -> list[int]:
    """The submitter if they are a mini-program user, else the enterprise's filing contacts."""
    submitter = filing.submitted_by or {}
    kind, _, ident = str(submitter.get("id", "")).partition(":")
    if submitter.get("kind") == "person" and kind == "person" and ident.isdigit():
        user_id = session.scalar(select(WeChatUser.id).where(WeChatUser.person_id == int(ident)))
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


def add_notice(session: Session, notice: Notice, now: datetime) -> Notification | None:
    """Insert the notice unless one with its key exists; None when it did (recorded once)."""
    row = Notification(
        key=notice.key,
        kind=notice.kind,
        wechat_user_id=notice.wechat_user_id,
        enterprise_id=notice.enterprise_id,
        filing_id=notice.filing_id,
        title=notice.title[:200],
        body=notice.body,
        template_id=notice.template_id,
        page=notice.page,
        payload=notice.payload,
        state=PushState.PENDING if notice.push else PushState.INBOX_ONLY,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


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
    session.flush()  # the filing's id and created_at are needed for its reference
    reference = reference_of(filing)
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
    rows = []
    for user_id in decision_recipients(session, filing):
        notice = Notice(
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
        if (row := add_notice(session, notice, now)) is not None and pushed:
            rows.append(row)
    if rows:
        uow.after_commit(lambda: dispatch_pushes(services, [r.id for r in rows]))


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


# ---------------------------------------------------------------------------- the push


def _notification_id(job_id: str) -> int:
    raw = job_id.removeprefix(JOB_ID_PREFIX)
    if not raw.isdigit():
        raise JobAttemptFailed(f"not a notification job id: {job_id}", retry=False)
    return int(raw)


def _settle(services: Services, notification_id: int, state: PushState, **values: Any) -> None:
    with services.uow() as uow:
        uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(state=state, updated_at=services.now(), **values)
        )
        uow.commit()


def push_attempt(services: Services, job_id: str, *, final_attempt: bool) -> dict[str, Any]:
    """One attempt at pushing one outbox row to WeChat, at most once ever.

    The row is claimed (pending/retrying → sending) in its own committed transaction before
    WeChat is called, so a job run twice, or by two workers, sends it once. A transient failure
    (system busy, WeChat unreachable, token still refused after the client's refresh) puts it
    back to ``retrying`` and raises for the runner's backoff; a final answer (43101 no consent,
    40003 bad openid, …) is recorded and not retried.
    """
    notification_id = _notification_id(job_id)
    now = services.now()
    with services.uow() as uow:
        claimed = uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.state.in_(list(CLAIMABLE)))
            .values(state=PushState.SENDING, attempts=Notification.attempts + 1, updated_at=now)
        )
        uow.commit()
        row = uow.session.get(Notification, notification_id)
        if claimed.rowcount != 1 or row is None:  # type: ignore[attr-defined]
            return {"notification": notification_id, "state": row.state if row else None, "skipped": True}
        user_id, template_id, payload, page, attempts = (
            row.wechat_user_id,
            row.template_id,
            dict(row.payload),
            row.page,
            row.attempts,
        )
    final = final_attempt or attempts >= max_push_attempts()
    try:
        delivery = deliver_subscribe_message(services, user_id, template_id, payload, page)
    except WeChatError as error:
        return _failed_attempt(services, notification_id, error.errcode, error.errmsg or error.message, attempts, final)
    except Exception as error:  # our database or a bug: try again later, like WeChat being busy
        log.exception("push of notification %s failed unexpectedly", notification_id)
        return _failed_attempt(services, notification_id, None, type(error).__name__, attempts, final)
    if delivery.sent:
        _settle(
            services,
            notification_id,
            PushState.SENT,
            msgid=delivery.msgid,
            sent_at=services.now(),
            last_errcode=None,
            last_error=None,
            next_attempt_at=None,
        )
        return {"notification": notification_id, "state": PushState.SENT, "attempts": attempts}
    reason = msg.NOTIFY_REFUSED.format(errcode=delivery.errcode) if delivery.errcode else msg.NOTIFY_NO_QUOTA
    _settle(
        services,
        notification_id,
        PushState.NOT_PUSHED,
        last_errcode=delivery.errcode,
        last_error=reason,
        next_attempt_at=None,
    )
    return {"notification": notification_id, "state": PushState.NOT_PUSHED, "errcode": delivery.errcode}


def _failed_attempt(
    services: Services, notification_id: int, errcode: int | None, detail: str, attempts: int, final: bool
) -> dict[str, Any]:
    if not is_transient(errcode):
        _settle(
            services,
            notification_id,
            PushState.NOT_PUSHED,
            last_errcode=errcode,
            last_error=msg.NOTIFY_REFUSED.format(errcode=errcode),
            next_attempt_at=None,
        )
        return {"notification": notification_id, "state": PushState.NOT_PUSHED, "errcode": errcode}
    if final:
        text = msg.NOTIFY_RETRIES_EXHAUSTED.format(errcode=errcode)
        _settle(
            services, notification_id, PushState.FAILED, last_errcode=errcode, last_error=text, next_attempt_at=None
        )
        raise JobAttemptFailed(f"notification {notification_id}: {detail}", retry=False)
    intervals = _push_retry_intervals()
    wait = intervals[min(attempts, len(intervals)) - 1]
    _settle(
        services,
        notification_id,
        PushState.RETRYING,
        last_errcode=errcode,
        last_error=detail[:300],
        next_attempt_at=services.now() + timedelta(seconds=wait),
    )
    raise JobAttemptFailed(f"notification {notification_id}: {detail}", retry=True)


def sweep(services: Services) -> dict[str, int]:
    """Hand lost pushes to the queue again; give up on sends interrupted mid-way (not resent).

    Run by the daily reminders and by ``entryfiling notifications sweep``. Bounded per run.
    """
    now = services.now()
    with services.uow() as uow:
        abandoned = uow.session.execute(
            update(Notification)
            .where(Notification.state == PushState.SENDING, Notification.updated_at < now - SENDING_STALE_AFTER)
            .values(state=PushState.FAILED, last_error=msg.NOTIFY_OUTCOME_UNKNOWN, updated_at=now)
        ).rowcount  # type: ignore[attr-defined]
        lost = uow.session.scalars(
            select(Notification.id)
            .where(
                (Notification.state == PushState.PENDING) & (Notification.updated_at < now - LOST_AFTER)
                | (Notification.state == PushState.RETRYING) & (Notification.next_attempt_at < now - LOST_AFTER)
            )
            .order_by(Notification.id)
            .limit(SWEEP_LIMIT)
        ).all()
        uow.commit()
    return {"abandoned": abandoned, "requeued": dispatch_pushes(services, lost)}


# ---------------------------------------------------------------------------- the inbox


def present_notification(row: Notification) -> dict[str, Any]:
    filing_url = (
        f"/miniapp/v1/enterprises/{row.enterprise_id}/filings/{row.filing_id}"
        if row.filing_id and row.enterprise_id
        else None
    )
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "enterprise_id": row.enterprise_id,
        "filing_id": row.filing_id,
        "filing_url": filing_url,
        "page": row.page,
        "read": row.read_at is not None,
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "created_at": row.created_at.isoformat(),
        "push": {
            "state": row.state,
            "state_label": PUSH_STATE_LABELS.get(PushState(row.state), row.state),
            "errcode": row.last_errcode,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        },
    }


def list_notifications(
    services: Services, user: MiniappUser, *, unread: bool | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """The user's inbox, newest first, with the number still unread."""
    query = select(Notification).where(Notification.wechat_user_id == user.id)
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        unread_count = (
            uow.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.wechat_user_id == user.id, Notification.read_at.is_(None))
            )
            or 0
        )
        rows = uow.session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        envelope = page_envelope([present_notification(r) for r in rows], total, page, page_size)
        return envelope | {"unread": unread_count}


def mark_read(services: Services, user: MiniappUser, notification_id: int) -> dict[str, Any]:
    """Mark one of the user's notices read (again is fine); someone else's is not found."""
    now = services.now()
    with services.uow() as uow:
        row = uow.session.scalar(
            select(Notification).where(Notification.id == notification_id, Notification.wechat_user_id == user.id)
        )
        if row is None:
            raise NotFound(msg.NOTIFICATION_NOT_FOUND)
        if row.read_at is None:
            row.read_at = now
            uow.commit()
        return present_notification(row)


def mark_all_read(services: Services, user: MiniappUser, ids: list[int] | None = None) -> dict[str, int]:
    if ids is not None and len(ids) > MAX_MARK_IDS:
        text = msg.NOTIFICATION_IDS_TOO_MANY.format(limit=MAX_MARK_IDS)
        raise ValidationFailed(text, errors={"ids": text})
    now = services.now()
    with services.uow() as uow:
        query = update(Notification).where(Notification.wechat_user_id == user.id, Notification.read_at.is_(None))
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        marked = uow.session.execute(query.values(read_at=now)).rowcount  # type: ignore[attr-defined]
        uow.commit()
        return {"marked": marked}
