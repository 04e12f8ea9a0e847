"""Expiry reminders: qualifications, registered and safety certificates, and the publicity.

Run once a day (RQ's cron scheduler, or ``entryfiling reminders run`` from the system's cron).
Each item that lapses within 30 or 7 days, or today, is told to the enterprise's filing contacts
(报送联系人) in their inbox and by a WeChat push; the notice's unique key (item, its expiry date,
the threshold, the recipient) makes a second run the same day — or two runs at once — tell
nobody twice. A renewed certificate has a new expiry date, so its reminders start afresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Enterprise, Person, PersonCertificate
from entryfiling.domain.notifications import (
    EXPIRING_KIND_LABELS,
    EXPIRY_REMINDER,
    SAFETY_CERTIFICATE_PREFIX,
    ExpiringItem,
    ExpiringKind,
    NotificationKind,
    due_threshold,
    reminder_remark,
    wechat_date,
)
from handlers.notifications import Notice, add_notices, dispatch_pushes, filing_contact_users
from handlers.persons import FILING_CONTACT
from handlers.push import sweep
from handlers.services import SYSTEM, Services


def _qualifications(enterprise: Enterprise) -> list[ExpiringItem]:
    section = (enterprise.filed_record or {}).get("qualifications") or {}
    items = []
    for row in section.get("qualifications") or []:
        try:
            until = date.fromisoformat(str(row.get("valid_until")))
        except ValueError:
            continue
        key = str(row.get("certificate_number") or row.get("name") or "")
        items.append(ExpiringItem(ExpiringKind.QUALIFICATION, key, str(row.get("name") or key), until))
    return items


def _certificates(session: Session, enterprise: Enterprise) -> list[ExpiringItem]:
    """Certificates of persons the enterprise currently employs, registered to it (or to nobody):
    one registered to another enterprise is that enterprise's to renew."""
    rows = session.execute(
        select(PersonCertificate, Person.name)
        .join(Person, Person.id == PersonCertificate.person_id)
        .join(Employment, Employment.person_id == Person.id)
        .where(
            Employment.enterprise_id == enterprise.id,
            Employment.ended_at.is_(None),
            PersonCertificate.valid_until.is_not(None),
            PersonCertificate.registered_enterprise_uscc.in_(("", enterprise.uscc)),
        )
        .order_by(PersonCertificate.id)
        .distinct()
    ).all()
    items = []
    for certificate, person_name in rows:
        kind = (
            ExpiringKind.SAFETY_CERTIFICATE
            if certificate.certificate_type.startswith(SAFETY_CERTIFICATE_PREFIX)
            else ExpiringKind.REGISTERED_CERTIFICATE
        )
        label = f"{person_name} {certificate.certificate_type}"
        assert certificate.valid_until is not None
        items.append(ExpiringItem(kind, f"{certificate.id}", label, certificate.valid_until))
    return items


def expiring_items(session: Session, enterprise: Enterprise) -> list[ExpiringItem]:
    items = [*_qualifications(enterprise), *_certificates(session, enterprise)]
    if enterprise.publicity_until is not None:
        items.append(
            ExpiringItem(ExpiringKind.PUBLICITY, "publicity", msg.REMINDER_PUBLICITY_ITEM, enterprise.publicity_until)
        )
    return items


def _notice(services: Services, enterprise: Enterprise, item: ExpiringItem, threshold: int, user_id: int) -> Notice:
    kind_label = EXPIRING_KIND_LABELS[item.kind]
    remark = reminder_remark(threshold)
    values = {
        "item": f"{kind_label}：{item.label}" if item.kind is not ExpiringKind.PUBLICITY else item.label,
        "valid_until": wechat_date(item.valid_until),
        "remark": remark,
        "enterprise": enterprise.name,
    }
    date_text = item.valid_until.isoformat()
    if item.kind is ExpiringKind.PUBLICITY:
        title = msg.REMINDER_PUBLICITY_TITLE_TODAY if threshold == 0 else msg.REMINDER_PUBLICITY_TITLE
        body = msg.REMINDER_PUBLICITY_BODY.format(enterprise=enterprise.name, date=date_text, remark=remark)
    else:
        title_format = msg.REMINDER_TITLE_TODAY if threshold == 0 else msg.REMINDER_TITLE
        title = title_format.format(kind=kind_label, item=item.label)
        body = msg.REMINDER_BODY.format(
            enterprise=enterprise.name, kind=kind_label, item=item.label, date=date_text, remark=remark
        )
    return Notice(
        key=f"reminder:{enterprise.id}:{item.kind.value}:{item.key}:{item.valid_until.isoformat()}:{threshold}:u{user_id}",
        kind=NotificationKind.EXPIRY_REMINDER,
        wechat_user_id=user_id,
        title=title,
        body=body,
        template_id=services.settings.wechat_reminder_template_id,
        payload=EXPIRY_REMINDER.data(values),
        page=services.settings.miniapp_reminder_page,
        enterprise_id=enterprise.id,
    )


def run_reminders(services: Services, today: date | None = None) -> dict[str, Any]:
    """Tell every enterprise's filing contacts of what lapses soon; idempotent per day.

    One transaction per enterprise, so one enterprise's trouble does not hold back the others'
    reminders; pushes are queued after each commit. Lost pushes are swept up at the end.
    """
    today = today or services.today()
    now = services.now()
    counts = {"enterprises": 0, "due": 0, "notified": 0, "already_notified": 0}
    with services.uow() as uow:
        enterprise_ids = uow.session.scalars(
            select(Employment.enterprise_id)
            .where(Employment.role == FILING_CONTACT, Employment.ended_at.is_(None))
            .distinct()
            .order_by(Employment.enterprise_id)
        ).all()
    for enterprise_id in enterprise_ids:
        with services.uow() as uow:
            enterprise = uow.session.get(Enterprise, enterprise_id)
            recipients = filing_contact_users(uow.session, enterprise_id)
            if enterprise is None or not recipients:
                continue
            counts["enterprises"] += 1
            created: list[int] = []
            for item in expiring_items(uow.session, enterprise):
                threshold = due_threshold(item.valid_until, today)
                if threshold is None:
                    continue
                counts["due"] += 1
                notices = [_notice(services, enterprise, item, threshold, user_id) for user_id in recipients]
                recorded = add_notices(uow.session, notices, now)
                counts["already_notified"] += len(notices) - len(recorded)
                created += recorded
            if created:
                uow.audit(
                    SYSTEM,
                    "expiry_reminders_recorded",
                    f"enterprise:{enterprise_id}",
                    now,
                    {"date": today.isoformat(), "notices": len(created)},
                    enterprise_id=enterprise_id,
                )
            uow.commit()
            counts["notified"] += len(created)
            dispatch_pushes(services, created)
    return {"date": today.isoformat(), **counts, "sweep": sweep(services)}
