"""Free-text answers for every declared field: understood or refused with a reason, never a crash."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain.businesses import BUSINESSES
from entryfiling.domain.fields import CleanResult, Field, FieldType, clean_field, clean_scalar
from entryfiling.domain.guided import AmbiguousAnswer, Choice, parse_yes_no, understand
from entryfiling.domain.validators import InvalidValue

PERSONS = [Choice(1, "张建国"), Choice(2, "王芳"), Choice(3, "王芳")]


def _every_field() -> dict[FieldType, Field]:
    """One declared field of each type, across all businesses (table columns included)."""
    found: dict[FieldType, Field] = {}
    for business in BUSINESSES.values():
        for section in business.sections:
            for fld in section.fields:
                for candidate in (fld, *fld.columns):
                    if candidate.type is not FieldType.TABLE:
                        found.setdefault(candidate.type, candidate)
    return found


FIELDS = _every_field()


def test_every_scalar_field_type_is_declared_somewhere():
    assert set(FIELDS) >= {
        FieldType.TEXT,
        FieldType.DATE,
        FieldType.ENUM,
        FieldType.AMOUNT,
        FieldType.PERSON,
        FieldType.ID_NUMBER,
        FieldType.USCC,
        FieldType.MOBILE,
        FieldType.PHONE,
    }


@given(kind=st.sampled_from(sorted(FIELDS)), text=st.text(max_size=40))
def test_any_typed_text_is_understood_or_refused_with_a_reason(kind, text):
    fld = FIELDS[kind]
    try:
        value = understand(fld, text, PERSONS)
    except InvalidValue as exc:
        assert exc.message
        return
    result = CleanResult()
    clean_field(fld, value, fld.key, result)
    assert all(isinstance(reason, str) and reason for reason in result.errors.values())


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("2025-03-01", "2025-03-01"),
        ("2025年3月1日", "2025-03-01"),
        ("2025.3.1", "2025-03-01"),
        ("2025/03/01", "2025-03-01"),
        ("２０２５年３月１日", "2025-03-01"),
        ("20250301", "2025-03-01"),
    ],
)
def test_dates_as_people_write_them_reach_the_section_save_as_typed(said, expected):
    date_field = FIELDS[FieldType.DATE]
    assert clean_scalar(date_field, understand(date_field, said)) == expected
    assert date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("1.2亿", "12000.00"),
        ("3500万元", "3500.00"),
        ("3500万", "3500.00"),
        ("500000元", "50.00"),
        ("1,200", "1200.00"),
        ("88", "88.00"),
    ],
)
def test_amounts_in_ten_thousand_yuan(said, expected):
    amount = Field("a", "金额", FieldType.AMOUNT, unit="万元")
    assert clean_scalar(amount, understand(amount, said)) == expected


def test_yes_and_no():
    assert all(parse_yes_no(word) for word in ("是", "对", "好的", "同意", "Y"))
    assert not any(parse_yes_no(word) for word in ("否", "不", "不是", "没有", "no"))
    with pytest.raises(InvalidValue):
        parse_yes_no("也许")


def test_persons_by_name_and_ambiguity():
    person = FIELDS[FieldType.PERSON]
    assert understand(person, "张建国", PERSONS) == 1
    with pytest.raises(AmbiguousAnswer) as ambiguous:
        understand(person, "王芳", PERSONS)
    assert [c.id for c in ambiguous.value.choices] == [2, 3]
    with pytest.raises(InvalidValue):
        understand(person, "李四", PERSONS)


def test_digits_of_other_scripts_and_huge_numbers_are_not_choices():
    enum = FIELDS[FieldType.ENUM]
    assert understand(enum, "²") == "²"
    person = FIELDS[FieldType.PERSON]
    with pytest.raises(InvalidValue):
        understand(person, "2147483648", PERSONS)
    result = CleanResult()
    clean_field(person, 2147483648, "person", result)
    assert result.errors["person"]
