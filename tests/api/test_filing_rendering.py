"""The hand-written filing response equals the schemas' dump (see ``entryfiling/http/filings/rendering.py``).

Every API test compares the two on what it renders (``tests/rendering_check.py``); these tests make
sure that comparison is active, that the renderer knows every field the schemas declare, and vary the
stored JSON records (rule results, record changes, photo pages) beyond what the flows produce.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entryfiling.http.filings import rendering
from entryfiling.http.filings.schemas import (
    AttachmentSchema,
    EventSchema,
    EvidenceSchema,
    FilingPageSchema,
    FilingSchema,
    RecordChangeSchema,
    RuleResultSchema,
    SectionSchema,
    SourcePageSchema,
)
from handlers import filings
from handlers.services import Actor
from tests.api.flows import complete_first_filing, sign_and_submit, upload
from tests.factories import pdf_bytes


@pytest.fixture
def persons(enterprise, make_person):
    return make_person("张建国", employed_by=enterprise.id), make_person("刘工", employed_by=enterprise.id)


@pytest.fixture
def approved(enterprise, persons):
    """An approved first filing, its attachments and rule results, and drafts of the change businesses."""
    filing = complete_first_filing(enterprise, *persons)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    for business in ("basic_info_change", "responsible_person_change", "technical_person_change"):
        assert enterprise.post("/api/v1/filings", json={"business": business}).status_code == 201
    return filing["id"]


def test_the_stored_records_keys_are_the_nested_schemas_fields():
    assert tuple(RuleResultSchema().fields) == rendering.RULE_RESULT_KEYS
    assert tuple(EvidenceSchema().fields) == rendering.EVIDENCE_KEYS
    assert tuple(RecordChangeSchema().fields) == rendering.RECORD_CHANGE_KEYS
    assert tuple(SourcePageSchema().fields) == rendering.SOURCE_PAGE_KEYS


def test_every_filing_answer_is_compared_with_the_schema_and_shows_every_declared_field(
    enterprise, approved, rendering_matches_the_schemas
):
    detail = enterprise.get(f"/api/v1/filings/{approved}").json
    uploaded = upload(enterprise, approved + 1, "business_license", pdf_bytes(), "营业执照.pdf")
    page = enterprise.get("/api/v1/filings?page_size=2&page=2").json
    assert rendering_matches_the_schemas[-3:] == ["filing_body", "filing_body", "page_body"]
    assert set(detail) == set(FilingSchema().fields) - {"attachment"}
    assert set(uploaded) == set(FilingSchema().fields)
    assert set(uploaded["attachment"]) == set(AttachmentSchema().fields)
    assert set(detail["sections"][0]) == set(SectionSchema().fields)
    assert set(detail["events"][0]) == set(EventSchema().fields)
    assert set(page) == set(FilingPageSchema().fields) and page["pages"] == 2 and len(page["items"]) == 2
    assert detail["rule_results"] and all(s["attachments"] for s in detail["sections"])


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
text = st.text(max_size=12)


def _optional(**entries):
    """A stored record with any subset of these entries, plus keys no schema declares."""
    return st.fixed_dictionaries({}, optional=entries).flatmap(
        lambda record: st.dictionaries(st.sampled_from(["extra", "legacy_flag"]), json_value, max_size=2).map(
            lambda extra: extra | record
        )
    )


rule_results = st.lists(
    _optional(
        rule=text,
        description=text,
        passed=st.booleans(),
        reasons=st.lists(text, max_size=2),
        on_failure=st.sampled_from(["reject", "manual_review"]),
        outcome=st.sampled_from(["passed", "failed", "not_checked"]),
        evidence=st.lists(_optional(item=text, filed=text, registry=text), max_size=2),
        reviewer=text,
    ),
    max_size=4,
)
record_changes = st.lists(
    _optional(
        section=text,
        section_label=text,
        field=st.none() | text,
        field_label=text,
        change=st.sampled_from(["added", "removed", "modified"]),
        before=json_value,
        after=json_value,
    ),
    max_size=4,
)
source_pages = st.none() | st.lists(
    _optional(page=st.integers(1, 9), filename=text, content_type=text, size=st.integers(0, 10**7), sha256=text),
    max_size=3,
)
moments = st.none() | st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rules=rule_results,
    changes=record_changes,
    pages=source_pages,
    reasons=st.lists(text, max_size=3),
    submitted_at=moments,
    decided_at=moments,
    copied_from_id=st.none() | st.integers(1, 10**6),
    signed_letter_id=st.none() | text,
)
def test_varied_stored_records_render_as_the_schema_dumps_them(
    app,
    services,
    enterprise,
    approved,
    rules,
    changes,
    pages,
    reasons,
    submitted_at,
    decided_at,
    copied_from_id,
    signed_letter_id,
):
    actor = Actor("enterprise", str(enterprise.id), enterprise.name, enterprise.id)
    view = filings.get_filing(services, actor, approved)
    first = next(a for s in view.sections for a in s.attachments)
    varied = replace(
        view,
        rule_results=rules,
        record_changes=changes,
        reasons=reasons,
        submitted_at=submitted_at,
        decided_at=decided_at,
        copied_from_id=copied_from_id,
        signed_letter_id=signed_letter_id,
        attachment=replace(first, source_pages=pages),
    )
    for path in (f"/api/v1/filings/{approved}", f"/miniapp/v1/enterprises/{enterprise.id}/filings/{approved}"):
        with app.test_request_context(path):
            assert rendering.filing_body(varied) == FilingSchema().dump(varied)


def test_a_summary_is_the_summary_fields_of_the_whole_view(services, enterprise, approved):
    actor = Actor("enterprise", str(enterprise.id), enterprise.name, enterprise.id)
    view = filings.get_filing(services, actor, approved)
    (listed,) = [s for s in filings.list_filings(services, actor).items if s.id == approved]
    assert listed == filings.FilingSummary(**{f.name: getattr(view, f.name) for f in fields(filings.FilingSummary)})
