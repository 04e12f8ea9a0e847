"""Read models built by hand for speed are what the general way builds."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from entryfiling.db.repositories import StoredFiling
from entryfiling.domain.filing import CHINA_TIME, filing_reference


def test_a_saved_filing_is_the_stored_one_with_its_new_sections_version_and_time():
    at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    # Every field a distinct value, so a field taken from the wrong place shows.
    stored = StoredFiling(*(object() for _ in fields(StoredFiling)))
    sections = {"basic_info": {"enterprise_name": "新疆建设"}}
    assert stored.saved(sections, 8, at) == replace(stored, sections=sections, version=8, updated_at=at)


@given(
    st.integers(min_value=1, max_value=10**9),
    st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(min_value=-14, max_value=14),
)
def test_a_reference_names_the_china_day_it_was_opened(filing_id, moment, offset_hours):
    opened = moment.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
    expected = f"JJ{opened.astimezone(CHINA_TIME):%Y%m%d}{filing_id:06d}"
    assert filing_reference(filing_id, opened) == expected
