"""What we put into subscribe-message parameters is what WeChat takes: our fitting of values
checked against the stand-in's rules, which are written from WeChat's table on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import assume, given
from hypothesis import strategies as st

from devkit.emulators.wechat import template_value_ok
from entryfiling.domain.notifications import EXPIRY_REMINDER, FILING_RESULT, fit, wechat_date, wechat_time

USED_KEYS = [key for template in (FILING_RESULT, EXPIRY_REMINDER) for _name, key in template.fields]
TEXT_KEYS = [key for key in USED_KEYS if not key.startswith(("time", "date"))]


@given(key=st.sampled_from(TEXT_KEYS), text=st.text(max_size=80))
def test_every_fitted_text_value_is_one_wechat_accepts(key, text):
    fitted = fit(key, text)
    assume(fitted)  # nothing left to send (e.g. no Chinese character for a phrase) is the caller's to avoid
    assert template_value_ok(key, fitted), (key, fitted)


@given(at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_our_times_are_wechat_times(at):
    assert template_value_ok("time4", wechat_time(at))


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_our_dates_are_wechat_dates(day):
    assert template_value_ok("date2", wechat_date(day))


def test_the_stand_in_refuses_what_wechat_refuses():
    refused = [
        ("thing1", "一" * 21),
        ("thing1", "换\n行"),
        ("phrase2", "OK"),
        ("phrase2", "六个汉字不行"),
        ("character_string5", "含中文"),
        ("time4", "25:00"),
        ("date2", "2026-02-32"),
        ("amount1", "100"),
        ("phone_number1", "1" * 18),
        ("car_number1", "粤A8Z888挂X"),
        ("name1", "张" * 11),
        ("thing1", ""),
    ]
    assert [pair for pair in refused if template_value_ok(*pair)] == []
