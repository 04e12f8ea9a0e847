"""A stored filing read in one statement (PostgreSQL: its children aggregated as JSON) is the filing
read in two (its columns, then its attachments and events as typed rows), value for value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, text

from entryfiling.db.models import Attachment
from entryfiling.db.repositories import FilingReads
from entryfiling.domain.errors import NotFound
from tests.api.flows import complete_first_filing, open_first_filing, sign_and_submit


@pytest.fixture
def postgresql_only(services):
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads a filing's children in their own statement only")


def both_reads(services, enterprise_id, filing_id):
    with services.read_connection() as connection:
        reads = FilingReads(connection)
        parameters = {"filing_id": filing_id, "enterprise_id": enterprise_id}
        return reads._with_children_as_json(parameters), reads._in_two_statements(parameters)


def test_a_new_draft_without_attachments_reads_alike(postgresql_only, enterprise, services):
    fid = open_first_filing(enterprise)["id"]
    in_one, in_two = both_reads(services, enterprise.id, fid)
    assert in_one == in_two and in_one.attachments == [] and len(in_one.events) == 1


def test_a_submitted_filing_with_attachments_events_and_assembled_pages_reads_alike(
    postgresql_only, enterprise, make_person, services
):
    person = make_person(employed_by=enterprise.id)
    fid = complete_first_filing(enterprise, person, person)["id"]
    assert sign_and_submit(enterprise, fid).status_code == 200
    # An assembled letter's pages (nested JSON, non-ASCII names, large sizes), uploaded at an odd
    # microsecond by a named uploader, and read in a session whose time zone is not UTC.
    with services.engine.begin() as connection:
        connection.execute(
            insert(Attachment),
            {
                "id": "00000000-0000-4000-8000-000000000001",
                "filing_id": fid,
                "kind": "commitment_letter",
                "filename": "承诺书（照片）.pdf",
                "content_type": "application/pdf",
                "size": 2**40,
                "sha256": "0" * 64,
                "storage_key": "x",
                "uploaded_by": {"name": "王小明", "type": "enterprise", "id": enterprise.id},
                "created_at": datetime(2031, 2, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=8))),
                "source_pages": [{"page": 1, "filename": "第1页.jpg", "size": 12345, "sha256": "a" * 64}],
            },
        )
    with services.read_connection() as connection:
        connection.execute(text("SET TIME ZONE 'Asia/Urumqi'"))
        reads = FilingReads(connection)
        parameters = {"filing_id": fid, "enterprise_id": enterprise.id}
        in_one, in_two = reads._with_children_as_json(parameters), reads._in_two_statements(parameters)
        connection.execute(text("RESET TIME ZONE"))
    assert in_one == in_two
    assert len(in_one.attachments) > 10 and len(in_one.events) >= 2
    assert all(a.created_at.tzinfo is UTC for a in in_one.attachments)
    assert in_one.attachments[-1].created_at == datetime(2031, 2, 2, 20, 5, 6, 7, tzinfo=UTC)
    assert in_one.attachments[-1].source_pages == [
        {"page": 1, "filename": "第1页.jpg", "size": 12345, "sha256": "a" * 64}
    ]


def test_another_enterprises_filing_is_not_found_in_one_statement(postgresql_only, enterprise, services):
    fid = open_first_filing(enterprise)["id"]
    with services.read_connection() as connection, pytest.raises(NotFound):
        FilingReads(connection)._with_children_as_json({"filing_id": fid, "enterprise_id": enterprise.id + 1})
