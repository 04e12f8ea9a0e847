"""SQL statements per request on the hot endpoints: a fixed number, whatever the amount of data.

Counted with an engine event around one request through the test client. An N+1 (a lazy load per
attachment, event or person) makes the count grow with the data, and these tests fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.api.flows import (
    complete_first_filing,
    current_etag,
    open_first_filing,
    sign_and_submit,
    signed_letter,
    upload,
)
from tests.conftest import opens_a_transaction
from tests.factories import pdf_bytes

# The bearer token's session is looked up once per request (kept alive by a write at most once a minute).
AUTHENTICATION = 1


def draft_write(services: Any) -> list[str]:
    """The statements of a draft's save with its audit row: one on PostgreSQL (a data-modifying CTE),
    an UPDATE and an INSERT on SQLite (in one transaction)."""
    return ["WITH"] if services.engine.dialect.name == "postgresql" else ["UPDATE", "INSERT"]


def filing_reads(services: Any) -> list[list[str]]:
    """The tables of the statements reading a filing with its attachments and events: one on
    PostgreSQL (the children aggregated as JSON beside the filing), two on SQLite (the filing, then
    its attachments and events in one UNION ALL)."""
    if services.engine.dialect.name == "postgresql":
        return [["attachments", "filing_events", "filings"]]
    return [["filings"], ["attachments", "filing_events"]]


@contextmanager
def counted(services: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with services.listening("before_cursor_execute", record):
        yield statements


@pytest.fixture
def persons(enterprise, make_person):
    return make_person("张建国", employed_by=enterprise.id), make_person("刘工", employed_by=enterprise.id)


def test_records_list_is_one_statement_for_any_number_of_filings(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    sign_and_submit(enterprise, filing["id"])
    for business in ("basic_info_change", "responsible_person_change", "technical_person_change"):
        assert enterprise.post("/api/v1/filings", json={"business": business}).status_code == 201
    with counted(services) as statements:
        page = enterprise.get("/api/v1/filings?page_size=20")
    assert page.status_code == 200 and page.json["total"] == 4
    listing = [s for s in statements if "FROM filings" in s]
    assert len(listing) == 1 and len(statements) <= 1 + AUTHENTICATION, statements
    assert "sections" not in listing[0] and "rule_results" not in listing[0]


def test_a_read_request_checks_its_session_and_reads_in_two_statements_without_a_transaction(
    enterprise, persons, services
):
    complete_first_filing(enterprise, *persons)
    transactions: list[str] = []

    def began(connection: Any) -> None:
        if opens_a_transaction(connection):
            transactions.append("BEGIN")

    with services.listening("begin", began), counted(services) as statements:
        assert enterprise.get("/api/v1/filings?page_size=20").status_code == 200
    assert len(statements) == 2 and "auth_sessions" in statements[0], statements
    assert transactions == []


def test_detail_and_save_do_not_grow_with_attachments(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    fid = filing["id"]

    def statements_of_detail_and_save() -> tuple[int, int]:
        with counted(services) as detail:
            assert enterprise.get(f"/api/v1/filings/{fid}").status_code == 200
        etag = current_etag(enterprise, fid)
        with counted(services) as save:
            response = enterprise.put(
                f"/api/v1/filings/{fid}/sections/basic_info",
                json={"contact_name": "王小明"},
                headers={"If-Match": etag},
            )
        assert response.status_code == 200, response.json
        return len(detail), len(save)

    before = statements_of_detail_and_save()
    for n in range(4):
        upload(enterprise, fid, "qualification_certificates", pdf_bytes(), f"资质证书{n}.pdf")
    assert statements_of_detail_and_save() == before
    detail, save = before
    # The save: the filing and its attachments and events (as the detail reads them), the one
    # conditional UPDATE with the audit row, whom the view shows.
    reads = len(filing_reads(services))
    assert detail == reads + 1 + AUTHENTICATION and save == reads + 1 + len(draft_write(services)) + AUTHENTICATION


def test_a_section_save_reads_the_draft_as_rows_and_writes_it_with_one_update(enterprise, services):
    fid = open_first_filing(enterprise)["id"]
    upload(enterprise, fid, "qualification_certificates", pdf_bytes(), "资质证书.pdf")
    etag = current_etag(enterprise, fid)
    with counted(services) as statements:
        response = enterprise.put(
            f"/api/v1/filings/{fid}/sections/basic_info", json={"contact_name": "王小明"}, headers={"If-Match": etag}
        )
    assert response.status_code == 200 and response.json["version"] == int(etag.strip('"').split("-")[1]) + 1
    own = statements[AUTHENTICATION:]
    # No ORM load, lazy load or flush: the draft read as the detail reads it, one conditional UPDATE
    # (its version check in the statement) with the audit row; the answer is built from what was read.
    reads = len(filing_reads(services))
    assert [sorted(re.findall(r"\bFROM (\w+)", s)) for s in own[:reads]] == filing_reads(services), own
    assert [s.lstrip().split()[0].upper() for s in own[reads:]] == draft_write(services), own
    assert "UPDATE filings" in own[reads] and "version = " in own[reads].split("WHERE", 1)[1], own
    assert "INSERT INTO audit_events" in " ".join(own[reads:]), own


def test_detail_reads_the_filing_then_its_attachments_and_events_then_its_persons(enterprise, persons, services):
    fid = complete_first_filing(enterprise, *persons)["id"]
    with counted(services) as statements:
        assert enterprise.get(f"/api/v1/filings/{fid}").status_code == 200
    reads = statements[AUTHENTICATION:]
    # The filing with its attachments and events (see filing_reads); the persons it chose.
    tables = [sorted(re.findall(r"\bFROM (\w+)", s)) for s in reads]
    assert tables == [*filing_reads(services), ["persons"]], reads
    filing_and_children = " ".join(reads[:-1])
    assert "created_by" not in filing_and_children and "storage_key" not in filing_and_children, reads


def test_filtered_records_are_one_statement_and_past_the_last_page_two(enterprise, persons, services):
    complete_first_filing(enterprise, *persons)
    filtered = "/api/v1/filings?status=draft&business=first_filing&date_from=2020-01-01&date_to=2099-12-31"
    with counted(services) as statements:
        page = enterprise.get(filtered)
    assert page.status_code == 200 and page.json["total"] == 1
    assert len(statements) == 1 + AUTHENTICATION, statements
    with counted(services) as statements:
        beyond = enterprise.get(f"{filtered}&page=3")
    assert beyond.status_code == 200 and beyond.json["total"] == 1 and beyond.json["items"] == []
    assert len(statements) == 2 + AUTHENTICATION, statements


def test_submit_with_automatic_approval_writes_the_filing_once(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    letter = upload(
        enterprise, filing["id"], "commitment_letter", signed_letter(enterprise, filing["id"]), "承诺书.pdf"
    )["attachment"]
    with counted(services) as statements:
        response = enterprise.post(
            f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": letter["id"]}
        )
    assert response.status_code == 200 and response.json["status"] == "approved", response.json
    # Its events, read with the filing, are answered whole and in order with the two it added.
    answered = [(e["from_status"], e["to_status"]) for e in response.json["events"]]
    assert answered == [(None, "draft"), ("draft", "submitted"), ("submitted", "approved")], answered
    filing_updates = [s for s in statements if "UPDATE filings" in s]
    assert len(filing_updates) == 1, filing_updates
    # Submit and approval with the plausibility facts: a fixed number, whatever the filing holds.
    # The chosen persons are read once for the rules, their ID numbers and their names (the view
    # reads whom it shows once more); the exclusive roles elsewhere are one statement for both.
    whole_persons = "SELECT PERSONS.ID, PERSONS.NAME, PERSONS.ID_NUMBER_SEALED"
    person_reads = [s for s in statements if s.lstrip().upper().startswith(whole_persons)]
    assert len(person_reads) <= 2, person_reads
    assert len([s for s in statements if "AS asked" in s]) == 1
    # The chosen persons and their employers are one statement; the view shows them from that read.
    assert len([s for s in statements if "FROM persons" in s and "id_number_index IN" not in s]) == 1, statements
    # The register entry is one upsert, without reading it first.
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM public_register" in s]
    # The two status events are one INSERT, which asks for no ids back.
    event_inserts = [s for s in statements if "INSERT INTO filing_events" in s]
    assert len(event_inserts) == 1 and "RETURNING filing_events" not in event_inserts[0], event_inserts
    if services.engine.dialect.name == "postgresql":
        # The filing's UPDATE, its events and the enterprise's UPDATE are one statement there.
        assert filing_updates == event_inserts and "UPDATE enterprises" in filing_updates[0]
    # The filing is read with its events and the count of its business's other open filings.
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT FILING_EVENTS")], statements
    register_writes = [s for s in statements if "INSERT INTO public_register" in s]
    assert len(register_writes) == 1, register_writes
    if services.engine.dialect.name == "postgresql":
        # The register entry is written at the commit with the audit rows, in their statement.
        assert "INSERT INTO audit_events" in register_writes[0]
    # 13 on SQLite; PostgreSQL reads the enterprise with its lock, writes the filing, its events and
    # the enterprise at once, and the register entry with the audit rows (four fewer).
    own = 9 if services.engine.dialect.name == "postgresql" else 13
    assert len(statements) == own + AUTHENTICATION, "\n".join(" ".join(s.split())[:110] for s in statements)


def test_submit_commits_without_a_flush(enterprise, persons, services):
    """Its writes are made by hand (``direct_writes``); what they wrote is not looked for again by
    a flush at the commit, a unit-of-work pass that finds nothing to write."""
    filing = complete_first_filing(enterprise, *persons)
    letter = upload(
        enterprise, filing["id"], "commitment_letter", signed_letter(enterprise, filing["id"]), "承诺书.pdf"
    )["attachment"]
    flushed: list[Any] = []
    record = lambda session, _context, _instances: flushed.append(list(session.dirty))  # noqa: E731
    event.listen(Session, "before_flush", record)
    try:
        response = enterprise.post(
            f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": letter["id"]}
        )
    finally:
        event.remove(Session, "before_flush", record)
    assert response.status_code == 200 and response.json["status"] == "approved", response.json
    assert flushed == []
    stored = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    assert stored["status"] == "approved" and [e["to_status"] for e in stored["events"]][-2:] == [
        "submitted",
        "approved",
    ]


def test_a_guided_answer_reads_the_draft_once_and_saves_it_once(enterprise, services):
    fid = open_first_filing(enterprise)["id"]
    etag = current_etag(enterprise, fid)
    for n in range(3):  # attachments are read with the filing, whatever their number
        upload(enterprise, fid, "qualification_certificates", pdf_bytes(), f"资质证书{n}.pdf")
    etag = current_etag(enterprise, fid)
    with counted(services) as statements:
        response = enterprise.post(
            f"/api/v1/filings/{fid}/answers",
            json={"field": "basic_info.registered_capital", "value": "1.2亿"},
            headers={"If-Match": etag},
        )
    assert response.status_code == 200, response.json
    assert "已记录" in response.json["recorded"]
    filing_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM filings" in s]
    filing_updates = [s for s in statements if "UPDATE filings" in s]
    # Read once (the same read understands, saves and asks the next question); written once.
    assert len(filing_reads) == 1 and len(filing_updates) == 1, statements
    # The filing with its attachments and what the flow remembers (one statement), the update with the audit row.
    assert len(statements) == 1 + len(draft_write(services)) + AUTHENTICATION, statements
