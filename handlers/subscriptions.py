"""Subscribe-message consent (订阅消息): one-time quotas per template, and spending them.

``wx.requestSubscribeMessage`` gives one send per accepted template; the mini-program reports the
result here and the push (approval results) spends it. WeChat is the authority: when it answers
43101 (no consent left) our count is reset to zero instead of retrying.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.models import SubscriptionQuota, WeChatUser
from entryfiling.domain.errors import ValidationFailed
from entryfiling.integrations.wechat import SUBSCRIPTION_REFUSED, WeChatError
from handlers.services import SYSTEM, Services
from handlers.wechat_users import MiniappUser

TEMPLATE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
RESULTS = frozenset({"accept", "reject", "ban", "filter"})
MAX_TEMPLATES_PER_REPORT = 20


def _quotas(session: Any, user_id: int) -> dict[str, int]:
    rows = session.scalars(select(SubscriptionQuota).where(SubscriptionQuota.wechat_user_id == user_id)).all()
    return {q.template_id: q.remaining for q in sorted(rows, key=lambda q: q.template_id)}


WX_RESULT_OK = "requestSubscribeMessage:ok"


def consents_reported(
    results: Mapping[str, Any] | None, err_msg: str | None, raw: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    """The template results of a report: ``results``, or the raw wx.requestSubscribeMessage success
    result whose other keys are the template ids; a result that is not ``:ok`` consented to nothing."""
    if err_msg is not None and err_msg != WX_RESULT_OK:
        raise ValidationFailed.on("errMsg", msg.SUBSCRIPTION_NOT_OK, hint=msg.SUBSCRIPTION_NOT_OK_HINT)
    chosen = results if results is not None else raw
    if not chosen:
        raise ValidationFailed.on("results", msg.SUBSCRIPTION_NOT_OK, hint=msg.SUBSCRIPTION_NOT_OK_HINT)
    return chosen


def record_consents(services: Services, user: MiniappUser, results: Mapping[str, Any]) -> dict[str, int]:
    """Add one send per ``accept``; other answers are kept as zero so the client sees them."""
    errors: dict[str, str] = {}
    if len(results) > MAX_TEMPLATES_PER_REPORT:
        text = msg.SUBSCRIPTION_TOO_MANY.format(limit=MAX_TEMPLATES_PER_REPORT)
        raise ValidationFailed.on("results", text)
    for template_id, result in results.items():
        if not TEMPLATE_ID_RE.fullmatch(str(template_id)):
            errors[str(template_id)[:130]] = msg.SUBSCRIPTION_TEMPLATE_INVALID
        elif result not in RESULTS:
            errors[template_id] = msg.SUBSCRIPTION_RESULT_INVALID
    if errors:
        raise ValidationFailed(msg.HTTP_VALIDATION, errors=errors)
    now = services.now()
    with services.uow() as uow:
        for template_id, result in sorted(results.items()):
            add = 1 if result == "accept" else 0
            bumped = uow.session.execute(
                update(SubscriptionQuota)
                .where(SubscriptionQuota.wechat_user_id == user.id, SubscriptionQuota.template_id == template_id)
                .values(remaining=SubscriptionQuota.remaining + add, updated_at=now)
            )
            if bumped.rowcount == 0:  # type: ignore[attr-defined]
                try:
                    with uow.session.begin_nested():
                        uow.session.add(
                            SubscriptionQuota(
                                wechat_user_id=user.id, template_id=template_id, remaining=add, updated_at=now
                            )
                        )
                except IntegrityError:
                    uow.session.execute(
                        update(SubscriptionQuota)
                        .where(
                            SubscriptionQuota.wechat_user_id == user.id, SubscriptionQuota.template_id == template_id
                        )
                        .values(remaining=SubscriptionQuota.remaining + add, updated_at=now)
                    )
        uow.audit(user.actor(), "subscriptions_reported", f"wechat_user:{user.id}", now, {"results": dict(results)})
        uow.commit()
        return _quotas(uow.session, user.id)


def quotas(services: Services, user: MiniappUser) -> dict[str, int]:
    with services.uow() as uow:
        return _quotas(uow.session, user.id)


@dataclass(frozen=True)
class Delivery:
    """What became of one subscribe message: sent (with WeChat's msgid), or why not."""

    sent: bool
    msgid: int | None = None
    # SUBSCRIPTION_REFUSED when WeChat answered 43101; None when no consent was left on our side.
    errcode: int | None = None


def deliver_subscribe_message(
    services: Services, wechat_user_id: int, template_id: str, data: dict[str, Any], page: str | None = None
) -> Delivery:
    """Spend one consent and send. No consent left (ours, or WeChat's 43101) is an answer, not an
    error; any other WeChat failure raises WeChatError with the consent given back.

    The quota is taken before calling WeChat and given back if WeChat fails for another reason,
    so two workers never spend the same consent.
    """
    now = services.now()
    with services.uow() as uow:
        openid = uow.session.scalar(select(WeChatUser.openid).where(WeChatUser.id == wechat_user_id))
        taken = uow.session.execute(
            update(SubscriptionQuota)
            .where(
                SubscriptionQuota.wechat_user_id == wechat_user_id,
                SubscriptionQuota.template_id == template_id,
                SubscriptionQuota.remaining > 0,
            )
            .values(remaining=SubscriptionQuota.remaining - 1, updated_at=now)
        )
        uow.commit()
    if openid is None or taken.rowcount != 1:  # type: ignore[attr-defined]
        return Delivery(sent=False)
    try:
        msgid = services.wechat().send_subscribe_message(openid, template_id, data, page)
    except WeChatError as error:
        with services.uow() as uow:
            where = (SubscriptionQuota.wechat_user_id == wechat_user_id, SubscriptionQuota.template_id == template_id)
            if error.errcode == SUBSCRIPTION_REFUSED:
                uow.session.execute(update(SubscriptionQuota).where(*where).values(remaining=0, updated_at=now))
            else:
                uow.session.execute(
                    update(SubscriptionQuota).where(*where).values(remaining=SubscriptionQuota.remaining + 1)
                )
            uow.commit()
        if error.errcode == SUBSCRIPTION_REFUSED:
            return Delivery(sent=False, errcode=SUBSCRIPTION_REFUSED)
        raise
    with services.uow() as uow:
        uow.audit(SYSTEM, "subscribe_message_sent", f"wechat_user:{wechat_user_id}", now, {"template_id": template_id})
        uow.commit()
    return Delivery(sent=True, msgid=msgid)


def send_subscribe_message(
    services: Services, wechat_user_id: int, template_id: str, data: dict[str, Any], page: str | None = None
) -> bool:
    """Spend one consent and send; False (nothing sent) when the user has none left."""
    return deliver_subscribe_message(services, wechat_user_id, template_id, data, page).sent
