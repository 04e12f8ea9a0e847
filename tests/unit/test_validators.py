"""Field validators: identifiers are checked against independent implementations of the standards.

The generators below compute check characters straight from GB 32100-2015 and GB 11643-1999, not
through python-stdnum, so a bug shared by the validator and its library would still be caught.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from entryfiling import messages as msg
from entryfiling.domain.validators import (
    InvalidValue,
    mask_id_number,
    mask_mobile,
    normalize_amount,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_uscc,
    parse_iso_date,
)

# --- independent reference implementations -------------------------------------------------

# GB 32100-2015: 31-character alphabet, weight of position i (0-based) is 3**i mod 31,
# check character C18 = 31 - (Σ Ci·Wi mod 31), where 31 maps to 0.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# GB 11643-1999 (ISO 7064 MOD 11-2): weight of position i is 2**(17-i) mod 11;
# the check digit is looked up from Σ ai·Wi mod 11.
ID_CHECK_TABLE = "10X98765432"


def id_check_digit(first17: str) -> str:
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return ID_CHECK_TABLE[total % 11]


@st.composite
def usccs(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from("123456789ANY"))
    kind = draw(st.sampled_from("123459"))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    org = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = authority + kind + region + org
    return first17 + uscc_check_char(first17)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    area = str(draw(st.integers(110000, 829999)))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def flip(value: str, alphabet: str, data: st.DataObject) -> str:
    """Replace one character by a different one from ``alphabet``."""
    position = data.draw(st.integers(0, len(value) - 1), label="position")
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != value[position]]), label="with")
    return value[:position] + replacement + value[position + 1 :]


# --- references agree with published examples --------------------------------------------------


def test_reference_generators_match_known_numbers() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("36042619910101007") == "1"


# --- 统一社会信用代码 --------------------------------------------------------------------------


@given(usccs())
def test_valid_uscc_accepted(code: str) -> None:
    assert normalize_uscc(code) == code


@given(usccs())
def test_uscc_normalises_case_and_whitespace(code: str) -> None:
    assert normalize_uscc(f"  {code.lower()}\t") == code


@given(usccs(), st.data())
def test_uscc_with_one_character_changed_is_rejected(code: str, data: st.DataObject) -> None:
    with pytest.raises(InvalidValue):
        normalize_uscc(flip(code, USCC_ALPHABET, data))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9111000060003734", msg.INVALID_USCC_LENGTH.format(length=16)),
        ("91110000600037341L0", msg.INVALID_USCC_LENGTH.format(length=19)),
        ("91110000600037341I", msg.INVALID_USCC_CHARACTERS),
        ("9111000060003734!L", msg.INVALID_USCC_CHARACTERS),
        ("911A0000600037341L", msg.INVALID_USCC_REGION),
        ("91110000600037341M", msg.INVALID_USCC_CHECK),
        ("", msg.INVALID_VALUE_MISSING),
    ],
)
def test_uscc_messages(value: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_uscc(value)
    assert caught.value.message == message == str(caught.value)


def test_uscc_accepts_full_width_input() -> None:
    assert normalize_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


# --- 居民身份证号 -----------------------------------------------------------------------------


@given(id_numbers())
def test_valid_id_number_accepted(number: str) -> None:
    assert normalize_id_number(number) == number
    assert normalize_id_number(f" {number.lower()} ") == number


@given(id_numbers(), st.data())
def test_id_number_with_one_digit_changed_is_rejected(number: str, data: st.DataObject) -> None:
    with pytest.raises(InvalidValue):
        normalize_id_number(flip(number, "0123456789X", data))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11010519491231002", msg.INVALID_ID_NUMBER_LENGTH.format(length=17)),
        ("110105491231002", msg.INVALID_ID_NUMBER_LEGACY),
        ("1101051949123100XX", msg.INVALID_ID_NUMBER_CHARACTERS),
        ("11010519491231002A", msg.INVALID_ID_NUMBER_CHARACTERS),
        ("110105194902300021", msg.INVALID_ID_NUMBER_BIRTH_DATE),
        ("110105189912310021", msg.INVALID_ID_NUMBER_BIRTH_DATE),
        ("110105194912310021", msg.INVALID_ID_NUMBER_CHECK),
    ],
)
def test_id_number_messages(value: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_id_number(value)
    assert caught.value.message == message


def test_id_number_birth_date_in_future_rejected() -> None:
    first17 = f"110105{date.today() + timedelta(days=1):%Y%m%d}002"
    with pytest.raises(InvalidValue, match=msg.INVALID_ID_NUMBER_BIRTH_DATE):
        normalize_id_number(first17 + id_check_digit(first17))


# --- any text: only InvalidValue, and normalisation is idempotent ------------------------------

VALIDATORS = [
    normalize_uscc,
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_email,
    parse_iso_date,
    normalize_amount,
]


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda f: f.__name__)
@given(text=st.text())
@example(text="")
@example(text="\x00")
@example(text="１３８１２３４５６７８")
def test_arbitrary_text_raises_only_invalid_value(validator, text: str) -> None:
    try:
        result = validator(text)
    except InvalidValue as exc:
        assert exc.message
        return
    if isinstance(result, str):
        assert validator(result) == result


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("value", [None, 12, 3.5, b"91110000600037341L", ["x"]])
def test_non_text_raises_only_invalid_value(validator, value: object) -> None:
    with contextlib.suppress(InvalidValue):
        validator(value)


OUR_MESSAGES = [
    msg.INVALID_VALUE_MISSING,
    msg.INVALID_VALUE_NOT_TEXT,
    msg.INVALID_USCC_LENGTH,
    msg.INVALID_USCC_CHARACTERS,
    msg.INVALID_USCC_REGION,
    msg.INVALID_USCC_CHECK,
    msg.INVALID_ID_NUMBER_LENGTH,
    msg.INVALID_ID_NUMBER_LEGACY,
    msg.INVALID_ID_NUMBER_CHARACTERS,
    msg.INVALID_ID_NUMBER_BIRTH_DATE,
    msg.INVALID_ID_NUMBER_CHECK,
    msg.INVALID_MOBILE,
    msg.INVALID_PHONE,
    msg.INVALID_EMAIL,
    msg.INVALID_DATE_FORMAT,
    msg.INVALID_DATE_VALUE,
    msg.INVALID_DATE_RANGE,
    msg.INVALID_AMOUNT_FORMAT,
    msg.INVALID_AMOUNT_NEGATIVE,
    msg.INVALID_AMOUNT_PRECISION,
    msg.INVALID_AMOUNT_OUT_OF_RANGE,
]


@pytest.mark.parametrize("text", OUR_MESSAGES)
def test_messages_do_not_start_with_a_field_name(text: str) -> None:
    """The caller prefixes the field label; a message naming it again would read "身份证号：身份证号…"."""
    for label in ("统一社会信用代码", "身份证", "居民身份证号", "手机", "电话", "电子邮箱", "邮箱", "金额"):
        assert not text.startswith(label)


# --- phones -------------------------------------------------------------------------------------

mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@given(mobiles)
def test_mobile_round_trips_through_decorations(number: str) -> None:
    dashed = f"{number[:3]}-{number[3:7]}-{number[7:]}"
    for written in (number, f"+86 {dashed}", f"0086{number}", f" {number[:3]} {number[3:7]} {number[7:]} "):
        assert normalize_mobile(written) == number
        assert normalize_phone(written) == number


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "+8513812345678", "abc"])
def test_bad_mobiles_rejected(value: str) -> None:
    with pytest.raises(InvalidValue, match=msg.INVALID_MOBILE):
        normalize_mobile(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0991-1234567", "0991-1234567"),
        ("0991 1234567", "0991-1234567"),
        ("(0991)1234567", "0991-1234567"),
        ("09911234567", "0991-1234567"),
        ("010-12345678", "010-12345678"),
        ("010-12345678-123", "010-12345678-123"),
        ("01012345678-123", "010-12345678-123"),
        ("010-12345678转123", "010-12345678-123"),
        ("021 6543 2100", "021-65432100"),
        ("13812345678", "13812345678"),
    ],
)
def test_phone_normalised(value: str, expected: str) -> None:
    assert normalize_phone(value) == expected
    assert normalize_phone(expected) == expected


@pytest.mark.parametrize("value", ["1234567", "0991-123", "991-1234567", "0991-1234567-1234567", "0-0"])
def test_bad_phones_rejected(value: str) -> None:
    with pytest.raises(InvalidValue, match=msg.INVALID_PHONE):
        normalize_phone(value)


# --- e-mail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("user@example.com", "user@example.com"),
        (" Zhang.San+filing@Example.COM.cn ", "Zhang.San+filing@example.com.cn"),
        ("ａ＠ｂ.ｃｎ", "a@b.cn"),
    ],
)
def test_email_normalised(value: str, expected: str) -> None:
    assert normalize_email(value) == expected


@pytest.mark.parametrize(
    "value",
    ["user", "user@", "@example.com", "user@example", "a b@example.com", "a..b@x.cn", "a@-x.cn", "a@x.123"],
)
def test_bad_emails_rejected(value: str) -> None:
    with pytest.raises(InvalidValue, match=msg.INVALID_EMAIL):
        normalize_email(value)


# --- dates ----------------------------------------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_iso_date_round_trip(day: date) -> None:
    assert parse_iso_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024/03/01", msg.INVALID_DATE_FORMAT),
        ("2024-3-1", msg.INVALID_DATE_FORMAT),
        ("20240301", msg.INVALID_DATE_FORMAT),
        ("2024-03-01T00:00:00", msg.INVALID_DATE_FORMAT),
        ("2023-02-29", msg.INVALID_DATE_VALUE.format(value="2023-02-29")),
        ("2024-13-01", msg.INVALID_DATE_VALUE.format(value="2024-13-01")),
        ("1899-12-31", msg.INVALID_DATE_RANGE.format(min_year=1900, max_year=2200)),
        ("2201-01-01", msg.INVALID_DATE_RANGE.format(min_year=1900, max_year=2200)),
    ],
)
def test_bad_dates_rejected(value: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_iso_date(value)
    assert caught.value.message == message


def test_date_message_shows_expected_format() -> None:
    """In the person's words, with an example they can copy (no format codes such as YYYY)."""
    assert "年-月-日" in msg.INVALID_DATE_FORMAT and "2024-03-01" in msg.INVALID_DATE_FORMAT


# --- amounts --------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**17 - 1).map(lambda n: Decimal(n).scaleb(-2))


@given(cents)
def test_amount_round_trips(amount: Decimal) -> None:
    assert normalize_amount(amount) == amount
    assert normalize_amount(str(amount)) == amount
    assert str(normalize_amount(str(amount))) == str(amount.quantize(Decimal("0.01")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0.00"),
        (12, "12.00"),
        (12.5, "12.50"),
        (0.1, "0.10"),
        ("  3.14 ", "3.14"),
        ("100", "100.00"),
        ("1.500", "1.50"),
        (".5", "0.50"),
        ("-0", "0.00"),
        ("１２３．４", "123.40"),
    ],
)
def test_amount_normalised(value: object, expected: str) -> None:
    assert str(normalize_amount(value)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, msg.INVALID_AMOUNT_NEGATIVE),
        ("-0.01", msg.INVALID_AMOUNT_NEGATIVE),
        ("1.234", msg.INVALID_AMOUNT_PRECISION),
        (0.1 + 0.2, msg.INVALID_AMOUNT_PRECISION),
        ("1e3", msg.INVALID_AMOUNT_FORMAT),
        ("1,000", msg.INVALID_AMOUNT_FORMAT),
        ("abc", msg.INVALID_AMOUNT_FORMAT),
        (float("nan"), msg.INVALID_AMOUNT_FORMAT),
        (float("inf"), msg.INVALID_AMOUNT_FORMAT),
        (True, msg.INVALID_AMOUNT_FORMAT),
        (None, msg.INVALID_VALUE_MISSING),
        ("1" + "0" * 15, msg.INVALID_AMOUNT_OUT_OF_RANGE.format(digits=15)),
    ],
)
def test_bad_amounts_rejected(value: object, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize_amount(value)
    assert caught.value.message == message


# --- masks ----------------------------------------------------------------------------------------


def test_masks_examples() -> None:
    assert mask_id_number("650102199001011234") == "6501**********1234"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize("value", ["", None, " "])
def test_masks_of_empty_values(value: str | None) -> None:
    assert mask_id_number(value) == ""
    assert mask_mobile(value) == ""


def _is_mobile(text: str) -> bool:
    try:
        normalize_mobile(text)
    except InvalidValue:
        return False
    return True


@given(st.text(max_size=40))
def test_masks_hide_at_least_half_and_never_raise(text: str) -> None:
    """Free text keeps at most half visible; a real mobile number is shown the usual 3+4 way."""
    masks = [mask_id_number(text)]
    if _is_mobile(text):
        mobile = normalize_mobile(text)
        assert mask_mobile(text) == mobile[:3] + "****" + mobile[7:]
    else:
        masks.append(mask_mobile(text))
    for masked in masks:
        visible = sum(1 for c in masked if c != "*")
        assert visible <= len(masked) // 2


@given(id_numbers())
def test_id_mask_keeps_only_ends(number: str) -> None:
    masked = mask_id_number(number)
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assume(number[4:14] != "*" * 10)
    assert number not in masked
