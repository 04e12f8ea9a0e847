"""The in-app inbox (消息): every notice a user was sent, pushed or not, read or unread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from entryfiling import messages as msg
from entryfiling.db.models import Notification
from entryfiling.domain.errors import NotFound, ValidationFailed
from entryfiling.domain.notifications import (
    PUSH_STATE_LABELS,
    PushState,
)
from handlers.pages import Page
from handlers.services import Services
from handlers.wechat_users import MiniappUser

log = logging.getLogger(__name__)

MAX_MARK_IDS = 100


@dataclass(frozen=True)
class PushView:
    state: str
    state_label: str
    errcode: int | None
    sent_at: datetime | None


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    enterprise_id: int | None
    filing_id: int | None
    page: str | None
    read: bool
    read_at: datetime | None
    created_at: datetime
    push: PushView


@dataclass(frozen=True)
class Inbox(Page[NotificationView]):
    unread: int = 0


def notification_view(row: Notification) -> NotificationView:
    return NotificationView(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        enterprise_id=row.enterprise_id,
        filing_id=row.filing_id,
        page=row.page,
        read=row.read_at is not None,
        read_at=row.read_at,
        created_at=row.created_at,
        push=PushView(
            state=row.state,
            state_label=PUSH_STATE_LABELS.get(PushState(row.state), row.state),
            errcode=row.last_errcode,
            sent_at=row.sent_at,
        ),
    )


def list_notifications(
    services: Services, user: MiniappUser, *, unread: bool | None = None, page: int = 1, page_size: int = 20
) -> Inbox:
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
        return Inbox([notification_view(r) for r in rows], total, page, page_size, unread=unread_count)


def mark_read(services: Services, user: MiniappUser, notification_id: int) -> NotificationView:
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
        return notification_view(row)


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
