"""Amounts and dates as a clerk writes them: the one parser behind section saves, answers and messages.

The strict forms (``5000.00``, ``2003-06-01``) stay in :mod:`validators`; this module turns what
people type (``人民币5000万元``, ``伍仟万``, ``1.2亿``, ``二〇〇三年六月一日``, ``2003.6.1``) into those
forms first, so a web form, the step-by-step flow and the conversation accept and refuse alike.
Chinese and financial numerals (壹贰叁, 两, 〇) are read by ``cn2an``; what it cannot read is refused
with a question, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

import cn2an

from entryfiling import messages as msg
from entryfiling.domain import validators as v
from entryfiling.domain.validators import InvalidValue

__all__ = [
    "DateNeedsDay",
    "format_amount",
    "format_date",
    "match_option",
    "parse_amount",
    "parse_area",
    "parse_date",
]

# How many yuan one of each unit is; a field's ``unit`` is one of these (empty: yuan).
UNIT_IN_YUAN: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_MULTIPLIERS: dict[str, Decimal] = {
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
}
_CURRENCY_PREFIX = re.compile(r"^(?:约|大约|共计|合计|计)?(?:人民币|RMB|CNY|¥)?", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"元?整?(?:人民币|RMB|CNY)?$", re.IGNORECASE)
_ASCII_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)(千|万|十万|百万|千万|亿)?")
_CHINESE_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億0-9.]+")


def _number(body: str) -> Decimal:
    """Digits (with an optional 万/亿 multiplier) exactly; Chinese and financial numerals through cn2an."""
    if match := _ASCII_AMOUNT.fullmatch(body):
        return Decimal(match[1]) * (_MULTIPLIERS[match[2]] if match[2] else 1)
    if not _CHINESE_NUMERAL.fullmatch(body):
        raise InvalidValue(msg.INVALID_AMOUNT_WORDS)
    try:
        number = cn2an.cn2an(body, "smart")
    except ValueError:
        raise InvalidValue(msg.INVALID_AMOUNT_WORDS) from None
    return Decimal(str(number))


def parse_amount(raw: object, unit: str = "") -> Decimal:
    """The amount in the field's ``unit`` with two decimals.

    A bare number (``5000``, ``五千``) is already in that unit; one that says 元 or ends in 万/亿 is
    money and is converted: for a field in 万元, ``5000万元``, ``五千万``, ``人民币5000万元`` and
    ``50000000元`` are all 5000. JSON numbers go straight to the strict check.
    """
    if not isinstance(raw, str):
        return v.normalize_amount(raw)
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("，", "").replace(" ", "")
    if text.startswith(("-", "负")):
        raise InvalidValue(msg.INVALID_AMOUNT_NEGATIVE)
    body = _CURRENCY_SUFFIX.sub("", _CURRENCY_PREFIX.sub("", text, count=1), count=1)
    if not body:
        return v.normalize_amount(text)  # blank: the strict check says "missing"
    number = _number(body)
    if "元" not in text and body[-1] not in "万亿萬億":
        return v.normalize_amount(number)
    converted = number / UNIT_IN_YUAN.get(unit or "元", Decimal(1))
    if converted != converted.quantize(Decimal("0.01")):
        raise InvalidValue(msg.INVALID_AMOUNT_UNIT_PRECISION.format(unit=unit or "元"))
    return v.normalize_amount(converted)


# NFKC turns ㎡ and m² into "m2"; 平米 and 平方 are how clerks shorten 平方米.
_AREA_UNIT = re.compile(r"(?:平方米|平米|平方|M2|米2)$", re.IGNORECASE)


def parse_area(raw: object) -> Decimal:
    """A floor area in square metres with two decimals: ``120``, ``120.5平方米``, ``120㎡``, ``一百二十平米``."""
    if not isinstance(raw, str):
        return v.normalize_amount(raw)
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace(" ", "")
    if text.startswith(("-", "负")):
        raise InvalidValue(msg.INVALID_AREA)
    body = _AREA_UNIT.sub("", re.sub(r"^(?:约|大约|共计|合计)", "", text))
    if not body:
        return v.normalize_amount(text)  # blank: the strict check says "missing"
    try:
        return v.normalize_amount(_number(body))
    except InvalidValue:
        raise InvalidValue(msg.INVALID_AREA) from None


def format_amount(value: str | Decimal, unit: str = "") -> str:
    """``5000.00`` → ``5,000 万元``: how a stored amount is said back to the user."""
    amount = Decimal(str(value))
    text = f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}".rstrip("0")
    return f"{text} {unit or '元'}"


# ---------------------------------------------------------------------------- dates


class DateNeedsDay(InvalidValue):
    """A month (or a year) without its day: the answer is a question back, not a refusal."""


_FULL_DATE = re.compile(r"([0-9]{4})\s*[年./\-]\s*([0-9]{1,2})\s*[月./\-]\s*([0-9]{1,2})\s*[日号]?")
_COMPACT_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_MONTH_ONLY = re.compile(r"([0-9]{4})\s*[年./\-]\s*([0-9]{1,2})\s*月?(?:份)?")
_YEAR_ONLY = re.compile(r"([0-9]{4})\s*年?")
_ISO_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CHINESE_DATE_CHARS = re.compile(r"[〇零一二三四五六七八九十]")
_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _arabic_date(text: str) -> str:
    """``二〇〇三年六月十一日`` → ``2003年6月11日``: year digits one by one (二〇〇三), month and day as numbers."""
    if not _CHINESE_DATE_CHARS.search(text):
        return text
    year, sep, rest = text.partition("年")
    if sep and re.fullmatch(r"[〇零一二三四五六七八九]{4}", year):
        text = year.translate(_YEAR_DIGITS) + "年" + rest
    try:
        return str(cn2an.transform(text, "cn2an"))
    except ValueError:
        return text


def parse_date(raw: object) -> date:
    """A calendar date from every common way of writing one; a month without a day asks for the day."""
    if not isinstance(raw, str):
        raise InvalidValue(msg.INVALID_VALUE_NOT_TEXT if raw is not None else msg.INVALID_VALUE_MISSING)
    text = _arabic_date(unicodedata.normalize("NFKC", raw).strip())
    match = _FULL_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        return v.parse_iso_date(f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}")
    if match := _MONTH_ONLY.fullmatch(text):
        if 1 <= int(match[2]) <= 12:
            raise DateNeedsDay(msg.DATE_NEEDS_DAY.format(year=match[1], month=int(match[2])))
    elif (match := _YEAR_ONLY.fullmatch(text)) and v.MIN_YEAR <= int(match[1]) <= v.MAX_YEAR:
        raise DateNeedsDay(msg.DATE_NEEDS_MONTH_AND_DAY.format(year=match[1]))
    if _ISO_LIKE.fullmatch(text):
        return v.parse_iso_date(text)  # its own reasons: the year range, no such day
    raise InvalidValue(msg.DATE_UNREADABLE)


def format_date(value: str) -> str:
    """``2003-06-01`` → ``2003年6月1日``."""
    day = date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------- options


class _Option(Protocol):
    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def match_option(options: Sequence[_Option], raw: str) -> str | None:
    """The option's value for its value, its label, or a part of exactly one label ("安徽" → 安徽省)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    for option in options:
        if text in (option.value, option.label):
            return option.value
    partial = [o for o in options if text in o.label]
    return partial[0].value if len(partial) == 1 else None
