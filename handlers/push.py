"""The WeChat push of an outbox row, at most once, and the sweep that requeues lost ones."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from entryfiling import messages as msg
from entryfiling.db.models import Notification
from entryfiling.domain.notifications import (
    CLAIMABLE,
    PushState,
    is_transient,
)
from entryfiling.integrations.wechat import WeChatError
from handlers.jobs import JobAttemptFailed
from handlers.notifications import (
    JOB_ID_PREFIX,
    LOST_AFTER,
    SENDING_STALE_AFTER,
    SWEEP_LIMIT,
    dispatch_pushes,
    max_push_attempts,
    push_retry_intervals,
)
from handlers.services import Services
from handlers.subscriptions import deliver_subscribe_message

log = logging.getLogger(__name__)


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
    final = final_attempt or attempts >= max_push_attempts(services)
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
    intervals = push_retry_intervals(services)
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
