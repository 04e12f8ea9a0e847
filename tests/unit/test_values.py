"""Amounts, dates and options as clerks type them: the parser every path shares (section saves, answers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain.businesses import BASIC_INFO, TECHNICAL_PERSON
from entryfiling.domain.fields import clean_scalar
from entryfiling.domain.guided import parse_yes_no, understand
from entryfiling.domain.validators import InvalidValue
from entryfiling.domain.values import DateNeedsDay, format_amount, format_date, parse_amount, parse_date
from tests.corpus.answers import SECTION_ANSWERS, YES_NO

SECTIONS = {s.key: s for s in (BASIC_INFO, TECHNICAL_PERSON)}


@pytest.mark.parametrize(("section", "field", "said", "stored", "question"), SECTION_ANSWERS)
def test_corpus_is_understood_or_answered_with_a_question(section, field, said, stored, question):
    fld = SECTIONS[section].field(field)
    if stored is not None:
        assert clean_scalar(fld, understand(fld, said)) == stored
        return
    with pytest.raises(InvalidValue) as refused:
        clean_scalar(fld, understand(fld, said))
    assert question in refused.value.message


@pytest.mark.parametrize(("said", "meant"), YES_NO)
def test_yes_and_no_as_people_say_them(said, meant):
    if meant is None:
        with pytest.raises(InvalidValue):
            parse_yes_no(said)
    else:
        assert parse_yes_no(said) is meant


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "万元", "元"]))
def test_digits_in_yuan_convert_to_the_fields_unit(yuan, unit):
    per_unit = {"": 1, "元": 1, "万元": 10_000}[unit]
    expected = Decimal(yuan) / per_unit
    if expected != expected.quantize(Decimal("0.01")):
        with pytest.raises(InvalidValue):
            parse_amount(f"{yuan}元", unit)
    else:
        assert parse_amount(f"{yuan}元", unit) == expected.quantize(Decimal("0.01"))
        assert parse_amount(f"人民币{yuan:,}元", unit) == expected.quantize(Decimal("0.01"))


@given(st.integers(min_value=1, max_value=9999), st.sampled_from([("万", 1), ("亿", 10_000)]))
def test_chinese_numerals_read_as_written_in_digits(count, unit):
    multiplier, per_wan = unit
    expected = Decimal(count * per_wan)
    assert parse_amount(f"{cn2an.an2cn(str(count), 'low')}{multiplier}", "万元") == expected
    assert parse_amount(f"{cn2an.an2cn(str(count), 'up')}{multiplier}元", "万元") == expected
    assert parse_amount(f"人民币{count}{multiplier}元", "万元") == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_common_date_form_reads_the_same_day(day):
    chinese_year = "".join("〇一二三四五六七八九"[int(d)] for d in str(day.year))
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
        f"{chinese_year}年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日",
    ]
    assert {parse_date(form) for form in forms} == {day}
    assert parse_date(format_date(day.isoformat())) == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_a_month_without_its_day_is_a_question(day):
    with pytest.raises(DateNeedsDay) as asked:
        parse_date(f"{day.year}年{day.month}月")
    assert f"{day.year}年{day.month}月几日" in asked.value.message


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_reason(text):
    try:
        amount = parse_amount(text, "万元")
    except InvalidValue as exc:
        assert exc.message
    else:
        assert amount >= 0 and amount == amount.quantize(Decimal("0.01"))


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_reason(text):
    try:
        parse_date(text)
    except InvalidValue as exc:
        assert exc.message


def test_amounts_are_said_back_in_the_fields_unit():
    assert format_amount("5000.00", "万元") == "5,000 万元"
    assert format_amount("1234.50", "万元") == "1,234.5 万元"
    assert format_amount("88.00") == "88 元"
