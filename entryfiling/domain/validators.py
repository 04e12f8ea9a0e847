"""Validation and normalisation of single field values (identifiers, phones, dates, amounts).

Every ``normalize_*`` function returns the canonical form to store, or raises :class:`InvalidValue`
whose message is the Chinese reason for the user. Messages never name the field: the caller knows
which field it is validating and prefixes the label ("法定代表人身份证号：…").

Input is first NFKC-normalised so that full-width characters typed with a Chinese input method
(``１３８…``, ``＠``) are accepted as their ASCII forms. Only ASCII digits and letters are accepted
afterwards: ``str.isdigit`` would also accept other scripts' digits.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from entryfiling import messages as msg

__all__ = [
    "InvalidValue",
    "mask_id_number",
    "mask_mobile",
    "normalize_amount",
    "normalize_email",
    "normalize_id_number",
    "normalize_mobile",
    "normalize_phone",
    "normalize_uscc",
    "parse_iso_date",
]

MIN_YEAR = 1900
MAX_YEAR = 2200
# Whole-yuan digits an amount may have; keeps values inside a NUMERIC(17, 2) / (18, 2) column.
AMOUNT_MAX_INTEGER_DIGITS = 15

_DIGITS = "0123456789"
# GB 32100-2015 code alphabet: digits and upper-case letters without I, O, Z, S, V.
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Area codes are 010, 02X (three digits) or 0XXX (four digits), so a landline written without
# separators can still be split unambiguously.
_LANDLINE_RE = re.compile(
    r"(?P<area>0(?:10|2[0-9]|[3-9][0-9]{2}))"
    r"(?P<local>[1-9][0-9]{6,7})"
    r"(?:(?:-|转|#|ext\.?|EXT\.?|x|X)(?P<ext>[0-9]{1,6}))?"
)
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_CENT = Decimal("0.01")


class InvalidValue(ValueError):
    """A single field value is malformed; str(exc) / .message is the Chinese reason shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: object) -> str:
    """NFKC-normalise and strip; refuse non-strings and blanks with a user-facing reason."""
    if value is None:
        raise InvalidValue(msg.INVALID_VALUE_MISSING)
    if not isinstance(value, str):
        raise InvalidValue(msg.INVALID_VALUE_NOT_TEXT)
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InvalidValue(msg.INVALID_VALUE_MISSING)
    return text


def _is_ascii_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def normalize_uscc(value: str) -> str:
    """Return the 18-character 统一社会信用代码 in upper case, checked per GB 32100-2015.

    Positions 1–2 (registration authority and organisation type) may be letters under the standard
    (e.g. ``Y`` for "other authorities"), so unlike ``stdnum.cn.uscc.validate`` only positions
    3–8 (the administrative division code) are required to be digits.
    """
    code = _text(value).upper()
    if len(code) != 18:
        raise InvalidValue(msg.INVALID_USCC_LENGTH.format(length=len(code)))
    if any(c not in _USCC_ALPHABET for c in code):
        raise InvalidValue(msg.INVALID_USCC_CHARACTERS)
    if not _is_ascii_digits(code[2:8]):
        raise InvalidValue(msg.INVALID_USCC_REGION)
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise InvalidValue(msg.INVALID_USCC_CHECK)
    return code


def normalize_id_number(value: str) -> str:
    """Return the 18-digit 居民身份证号 with an upper-case ``X``, checked per GB 11643-1999.

    The address code is not looked up: stdnum's table of counties goes stale and would refuse real
    people; the check digit already catches typing errors.
    """
    number = _text(value).upper()
    if len(number) != 18:
        if len(number) == 15 and _is_ascii_digits(number):
            raise InvalidValue(msg.INVALID_ID_NUMBER_LEGACY)
        raise InvalidValue(msg.INVALID_ID_NUMBER_LENGTH.format(length=len(number)))
    if not _is_ascii_digits(number[:17]) or number[17] not in "0123456789X":
        raise InvalidValue(msg.INVALID_ID_NUMBER_CHARACTERS)
    try:
        birth = ric.get_birth_date(number)
    except (StdnumValidationError, ValueError) as exc:
        raise InvalidValue(msg.INVALID_ID_NUMBER_BIRTH_DATE) from exc
    if birth.year < MIN_YEAR or birth > date.today():
        raise InvalidValue(msg.INVALID_ID_NUMBER_BIRTH_DATE)
    if number[17] != ric.calc_check_digit(number):
        raise InvalidValue(msg.INVALID_ID_NUMBER_CHECK)
    return number


def _strip_mobile_decoration(text: str) -> str:
    compact = re.sub(r"[\s\-()]", "", text)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    return compact


def normalize_mobile(value: str) -> str:
    """Return a mainland mobile number as 11 digits; accepts +86/0086, spaces and dashes."""
    number = _strip_mobile_decoration(_text(value))
    if not _MOBILE_RE.fullmatch(number):
        raise InvalidValue(msg.INVALID_MOBILE)
    return number


def normalize_phone(value: str) -> str:
    """Return a mobile as 11 digits, or a landline as ``区号-号码[-分机]``.

    Landlines may be written ``0991-1234567``, ``(0991)1234567``, ``0991 1234567``,
    ``09911234567`` or with an extension (``-123``, ``转123``, ``#123``, ``ext123``).
    """
    text = _text(value)
    mobile = _strip_mobile_decoration(text)
    if _MOBILE_RE.fullmatch(mobile):
        return mobile
    compact = re.sub(r"[\s()]", "", text)
    head, _, ext = compact.partition("转")
    if ext:
        compact = f"{head}-{ext}"
    # Join area code and number ("0991-1234567" → "09911234567") but keep an extension separator.
    parts = compact.split("-")
    if len(parts) == 2 and _is_ascii_digits(parts[0]) and len(parts[0]) <= 4 and parts[0].startswith("0"):
        compact = parts[0] + parts[1]
    elif len(parts) == 3:
        compact = f"{parts[0]}{parts[1]}-{parts[2]}"
    match = _LANDLINE_RE.fullmatch(compact)
    if not match:
        raise InvalidValue(msg.INVALID_PHONE)
    normalized = f"{match['area']}-{match['local']}"
    return f"{normalized}-{match['ext']}" if match["ext"] else normalized


def normalize_email(value: str) -> str:
    """Return the address with its domain lower-cased (the local part is case-sensitive by RFC).

    Deliberately conservative: ASCII only, a dotted domain, RFC 5321 length limits. Whether the
    mailbox exists is not our concern here.
    """
    text = _text(value)
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain or len(text) > 254 or len(local) > 64:
        raise InvalidValue(msg.INVALID_EMAIL)
    if not _EMAIL_LOCAL_RE.fullmatch(local):
        raise InvalidValue(msg.INVALID_EMAIL)
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        raise InvalidValue(msg.INVALID_EMAIL)
    if _is_ascii_digits(labels[-1]):
        raise InvalidValue(msg.INVALID_EMAIL)
    return f"{local}@{domain.lower()}"


def parse_iso_date(value: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` into a real calendar date with a year in 1900..2200."""
    text = _text(value)
    match = _ISO_DATE_RE.fullmatch(text)
    if not match:
        raise InvalidValue(msg.INVALID_DATE_FORMAT)
    year, month, day = (int(part) for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(msg.INVALID_DATE_RANGE.format(min_year=MIN_YEAR, max_year=MAX_YEAR))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidValue(msg.INVALID_DATE_VALUE.format(value=text)) from exc


def normalize_amount(value: object) -> Decimal:
    """Return a non-negative amount with exactly two decimal places (``Decimal("12.30")``).

    Floats are read through their shortest repr (``0.1`` → ``"0.1"``), so JSON numbers behave as
    written; a float carrying binary noise (``0.1 + 0.2``) is refused rather than silently rounded.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidValue(msg.INVALID_AMOUNT_FORMAT if value is not None else msg.INVALID_VALUE_MISSING)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(msg.INVALID_AMOUNT_FORMAT)
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue(msg.INVALID_AMOUNT_FORMAT)
        amount = value
    elif isinstance(value, str):
        text = _text(value)
        negative = text.startswith("-")
        digits = text[1:] if negative or text.startswith("+") else text
        if not _AMOUNT_RE.fullmatch(digits):
            raise InvalidValue(msg.INVALID_AMOUNT_FORMAT)
        try:
            amount = Decimal(digits)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
            raise InvalidValue(msg.INVALID_AMOUNT_FORMAT) from exc
        if negative and amount != 0:
            raise InvalidValue(msg.INVALID_AMOUNT_NEGATIVE)
    else:
        raise InvalidValue(msg.INVALID_AMOUNT_FORMAT)
    if amount < 0:
        raise InvalidValue(msg.INVALID_AMOUNT_NEGATIVE)
    amount = abs(amount)  # turns Decimal("-0") into 0
    if amount >= Decimal(10) ** AMOUNT_MAX_INTEGER_DIGITS:
        raise InvalidValue(msg.INVALID_AMOUNT_OUT_OF_RANGE.format(digits=AMOUNT_MAX_INTEGER_DIGITS))
    quantized = amount.quantize(_CENT)
    if quantized != amount:
        raise InvalidValue(msg.INVALID_AMOUNT_PRECISION)
    return quantized


def _mask(text: str, head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` characters but always hide at least half of a short value."""
    n = len(text)
    if n == 0:
        return ""
    limit = n // 4
    head, tail = min(head, limit), min(tail, limit)
    return text[:head] + "*" * (n - head - tail) + text[n - tail :]


def mask_id_number(value: str | None) -> str:
    """Mask an ID number for display: ``6501**********1234``. Never raises: used on stored data."""
    if not isinstance(value, str):
        return ""
    return _mask(value.strip(), 4, 4)


def mask_mobile(value: str | None) -> str:
    """Mask a mobile number for display: ``138****5678``. Never raises: used on stored data."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    try:
        text = normalize_mobile(text)
    except InvalidValue:
        return _mask(text, 3, 4)
    return text[:3] + "****" + text[7:]
