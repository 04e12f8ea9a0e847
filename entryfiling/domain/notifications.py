"""Notifications as data: the WeChat subscribe-message templates, their field limits, which
WeChat answers are worth retrying, and when an expiring item is due for a reminder.

Pure Python: the use cases (``handlers.notifications``, ``handlers.reminders``) fill these in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from entryfiling import messages as msg
from entryfiling.domain.filing import CHINA_TIME, FilingStatus

# WeChat's limits per template parameter type (订阅消息参数值内容限制): a value over the limit is
# refused with 47003, so every value is fitted before it is sent.
FIELD_LIMITS = {
    "thing": 20,  # 20 个以内字符：汉字、数字、字母或符号
    "character_string": 32,  # 32 位以内数字、字母或符号
    "phrase": 5,  # 5 个以内纯汉字
    "name": 10,  # 10 个以内纯汉字
    "number": 32,
    "letter": 32,
    "symbol": 5,
}
ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_NOT_ASCII_PRINTABLE = re.compile(r"[^\x21-\x7e]")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]")


def param_type(key: str) -> str:
    """``thing12`` → ``thing``: WeChat names every template parameter by its type and a number."""
    return key.rstrip("0123456789")


def fit(key: str, value: str) -> str:
    """The value shortened and cleaned to what WeChat accepts for the parameter ``key``."""
    kind = param_type(key)
    text = _CONTROL.sub(" ", value).strip()
    if kind == "character_string":
        text = _NOT_ASCII_PRINTABLE.sub("", text)
    elif kind == "phrase":
        text = _NOT_HAN.sub("", text)
    limit = FIELD_LIMITS.get(kind)
    if limit is None or len(text) <= limit:
        return text
    if kind in ("thing",):
        return text[: limit - 1] + ELLIPSIS
    return text[:limit]


def wechat_time(at: datetime) -> str:
    """time.DATA as WeChat shows it (24 小时制，可带年月日): ``2025年3月1日 15:01``, China time."""
    local = at.astimezone(CHINA_TIME)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def wechat_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class NotificationKind(StrEnum):
    FILING_RESULT = "filing_result"
    EXPIRY_REMINDER = "expiry_reminder"


@dataclass(frozen=True)
class Template:
    """A subscribe-message template: which of our values goes into which WeChat parameter.

    The keys are the ones WeChat assigns to the template chosen in the mini-program console
    (e.g. 审核结果通知: 业务名称 thing1, 审核结果 phrase2, 备注 thing3, 审核时间 time4, 办件编号
    character_string5). A deployment whose template numbers its keywords differently changes
    them here, in one place.
    """

    kind: NotificationKind
    fields: tuple[tuple[str, str], ...]  # (our name, WeChat key)

    def data(self, values: Mapping[str, str]) -> dict[str, dict[str, str]]:
        return {key: {"value": fit(key, values[name])} for name, key in self.fields}


FILING_RESULT = Template(
    NotificationKind.FILING_RESULT,
    (
        ("business", "thing1"),
        ("result", "phrase2"),
        ("remark", "thing3"),
        ("decided_at", "time4"),
        ("reference", "character_string5"),
    ),
)
EXPIRY_REMINDER = Template(
    NotificationKind.EXPIRY_REMINDER,
    (
        ("item", "thing1"),
        ("valid_until", "date2"),
        ("remark", "thing3"),
        ("enterprise", "thing4"),
    ),
)

# What the 审核结果 parameter says (phrase: at most five Chinese characters).
RESULT_PHRASES = {
    FilingStatus.APPROVED: "审批通过",
    FilingStatus.REJECTED: "审批不通过",
    FilingStatus.MANUAL_REVIEW: "待人工审核",
}
# Only a decision is pushed: a one-time consent spent on "待人工审核" would leave none for the
# result the person is waiting for. Manual review is announced in the in-app inbox only.
PUSHED_STATUSES = frozenset({FilingStatus.APPROVED, FilingStatus.REJECTED})


def result_remark(status: FilingStatus, reasons: list[str]) -> str:
    if reasons:
        return "；".join(reasons)
    return msg.NOTIFY_REMARK_APPROVED if status is FilingStatus.APPROVED else msg.NOTIFY_REMARK_NONE


# ---------------------------------------------------------------------------- WeChat answers

# Answers no retry can change: no consent left (43101), bad openid (40003), bad template (40037),
# data WeChat refuses (47003), a page not in the released mini-program (41030).
FINAL_ERRCODES = frozenset({43101, 40003, 40037, 47003, 41030})


def is_transient(errcode: int | None) -> bool:
    """System busy (-1), token trouble left after the client's refresh (40001/42001), rate limits,
    an unreachable WeChat (None) and anything unknown are tried again, a bounded number of times."""
    return errcode not in FINAL_ERRCODES


class PushState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    NOT_PUSHED = "not_pushed"  # final: no consent, refused, no mini-program user; the inbox has it
    INBOX_ONLY = "inbox_only"  # by design (manual review)
    FAILED = "failed"  # retries used up, or the outcome of an interrupted send is unknown


PUSH_STATE_LABELS = {
    PushState.PENDING: "待推送",
    PushState.SENDING: "推送中",
    PushState.RETRYING: "推送失败，等待重试",
    PushState.SENT: "已推送到微信",
    PushState.NOT_PUSHED: "未推送到微信（仅站内消息）",
    PushState.INBOX_ONLY: "仅站内消息",
    PushState.FAILED: "推送失败（仅站内消息）",
}
CLAIMABLE = frozenset({PushState.PENDING, PushState.RETRYING})


# ---------------------------------------------------------------------------- reminders

# Days before the expiry at which a reminder is due; 0 is "on the day".
REMINDER_THRESHOLDS = (30, 7, 0)


class ExpiringKind(StrEnum):
    QUALIFICATION = "qualification"
    REGISTERED_CERTIFICATE = "registered_certificate"
    SAFETY_CERTIFICATE = "safety_certificate"
    PUBLICITY = "publicity"


EXPIRING_KIND_LABELS = {
    ExpiringKind.QUALIFICATION: "资质",
    ExpiringKind.REGISTERED_CERTIFICATE: "注册证书",
    ExpiringKind.SAFETY_CERTIFICATE: "安管人员证书",
    ExpiringKind.PUBLICITY: "进疆信息公示",
}
SAFETY_CERTIFICATE_PREFIX = "安全生产考核合格证书"


def due_threshold(valid_until: date, today: date, thresholds: tuple[int, ...] = REMINDER_THRESHOLDS) -> int | None:
    """The reminder due today for an item expiring on ``valid_until``, or None.

    Each threshold owns the band of days down to the next one (30 → 8..30 days left, 7 → 1..7,
    0 → the day itself), so a day the job did not run is caught up the next day; a unique key per
    item and threshold makes it once. Items already expired get no reminder (the approval rules
    and the filing views report them).
    """
    days_left = (valid_until - today).days
    if days_left < 0:
        return None
    ordered = sorted(thresholds)
    for index, threshold in enumerate(ordered):
        lower = ordered[index - 1] + 1 if index else threshold
        if lower <= days_left <= threshold:
            return threshold
    return None


@dataclass(frozen=True)
class ExpiringItem:
    """Something of an enterprise that lapses: ``key`` is stable across runs (certificate number…)."""

    kind: ExpiringKind
    key: str
    label: str
    valid_until: date


def reminder_remark(threshold: int) -> str:
    if threshold == 0:
        return msg.REMINDER_TODAY
    return msg.REMINDER_DAYS.format(days=threshold)
