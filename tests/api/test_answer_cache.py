"""The records list and the filing detail are kept per data version: a repeated read costs only the
session check, and a write through any path is seen by the very next read (the version moves).

Each write test reads the answers first (so they are kept), writes, and checks both that the
database moved the enterprise's version and that the next GET shows the write.
"""

from __future__ import annotations

import gzip
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from entryfiling.db.models import PERSONS_SCOPE, AnswerVersion, Filing, Person
from handlers import regulators
from handlers.services import utcnow
from tests.api.flows import complete_first_filing, current_etag, open_first_filing, save, sign_and_submit, upload
from tests.api.test_statement_counts import AUTHENTICATION, counted, filing_reads

RECORDS = "/api/v1/filings?page_size=20"
PASSWORD = "Reviewer-Passw0rd!"


def version_of(services: Any, scope: int) -> int:
    with services.engine.connect() as connection:
        return int(connection.scalar(select(AnswerVersion.version).where(AnswerVersion.scope == scope)) or 0)


def read_both(enterprise: Any, filing_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The detail and the records page, each read twice: the second read is the kept answer."""
    for _ in range(2):
        detail = enterprise.get(f"/api/v1/filings/{filing_id}")
        records = enterprise.get(RECORDS)
        assert detail.status_code == 200 and records.status_code == 200
    return detail.json, records.json


def row_of(records: dict[str, Any], filing_id: int) -> dict[str, Any]:
    return next(item for item in records["items"] if item["id"] == filing_id)


@pytest.fixture
def persons(enterprise, make_person):
    return make_person("张建国", employed_by=enterprise.id), make_person("刘工", employed_by=enterprise.id)


def test_a_repeated_read_is_the_session_check_alone_and_the_same_answer(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    url = f"/api/v1/filings/{filing['id']}"
    enterprise.post("/api/v1/filings", json={"business": "basic_info_change"})
    with counted(services) as missed:
        first = enterprise.get(url)
    with counted(services) as kept:
        second = enterprise.get(url)
    # The filing with its attachments and events (filing_reads), the persons it chose.
    assert len(missed) == len(filing_reads(services)) + 1 + AUTHENTICATION, missed
    assert len(kept) == AUTHENTICATION and "auth_sessions" in kept[0], kept
    assert (
        second.data == first.data
        and second.headers["ETag"] == first.headers["ETag"] == f'"{filing["id"]}-{first.json["version"]}"'
    )

    with counted(services) as missed:
        first = enterprise.get(RECORDS)
    with counted(services) as kept:
        second = enterprise.get(RECORDS)
    assert len(missed) == 1 + AUTHENTICATION and len(kept) == AUTHENTICATION, (missed, kept)
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"


def test_the_records_list_answers_its_etag_with_304_until_a_write(enterprise, services):
    filing = open_first_filing(enterprise)
    page = enterprise.get(RECORDS)
    tag = page.headers["ETag"]
    with counted(services) as statements:
        again = enterprise.get(RECORDS, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert len(statements) == AUTHENTICATION
    # Another page, or other filters, is another answer.
    assert enterprise.get("/api/v1/filings?page_size=5", headers={"If-None-Match": tag}).status_code == 200
    assert enterprise.get(f"{RECORDS}&status=draft", headers={"If-None-Match": tag}).status_code == 200

    assert enterprise.delete(f"/api/v1/filings/{filing['id']}").status_code == 204
    after = enterprise.get(RECORDS, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.json["total"] == 0 and after.headers["ETag"] != tag


def test_a_kept_answer_goes_gzipped_to_a_client_that_accepts_it(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    url = f"/api/v1/filings/{filing['id']}"
    plain = enterprise.get(url)
    with counted(services) as statements:
        packed = enterprise.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    again = enterprise.get(url, headers={"Accept-Encoding": "gzip"})
    refused = enterprise.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert len(statements) == AUTHENTICATION  # the kept answer, compressed and kept with it
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert again.data == packed.data and packed.headers["ETag"] == plain.headers["ETag"]
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert refused.data == plain.data and "Accept-Encoding" in plain.headers["Vary"]
    # A records page of one row is shorter than a gzip header and trailer are worth: sent as it is.
    small = enterprise.get(RECORDS, headers={"Accept-Encoding": "gzip"})
    assert len(small.data) < 1024 and "Content-Encoding" not in small.headers and small.json["total"] == 1


def test_another_enterprise_never_gets_the_kept_answer(enterprise, login_enterprise, services):
    mine = open_first_filing(enterprise)
    other = login_enterprise("新疆另一家建设有限公司")
    read_both(enterprise, mine["id"])
    theirs = other.get(RECORDS)
    assert theirs.status_code == 200 and theirs.json["total"] == 0
    assert theirs.headers["ETag"] != enterprise.get(RECORDS).headers["ETag"]
    assert other.get(RECORDS, headers={"If-None-Match": enterprise.get(RECORDS).headers["ETag"]}).status_code == 200
    refused = other.get(f"/api/v1/filings/{mine['id']}")
    assert refused.status_code == 404, refused.json
    # A refusal is never kept: the owner still reads it, the other still cannot.
    assert enterprise.get(f"/api/v1/filings/{mine['id']}").status_code == 200
    assert other.get(f"/api/v1/filings/{mine['id']}").status_code == 404


def test_a_section_save_and_an_upload_are_seen_by_the_next_read(enterprise, services):
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    read_both(enterprise, fid)
    before = version_of(services, enterprise.id)
    saved = save(enterprise, filing, "basic_info", {"contact_name": "王小明"})
    assert version_of(services, enterprise.id) > before
    detail, records = read_both(enterprise, fid)
    basic = next(s for s in detail["sections"] if s["key"] == "basic_info")
    assert basic["values"]["contact_name"] == "王小明" and detail["version"] == saved["version"]
    assert row_of(records, fid)["version"] == saved["version"]

    before = version_of(services, enterprise.id)
    upload(enterprise, fid, "business_license")
    assert version_of(services, enterprise.id) > before
    detail, _records = read_both(enterprise, fid)
    basic = next(s for s in detail["sections"] if s["key"] == "basic_info")
    assert [a["kind"] for a in basic["attachments"]] == ["business_license"]

    attachment = basic["attachments"][0]["id"]
    assert enterprise.delete(f"/api/v1/filings/{fid}/attachments/{attachment}").status_code == 200
    detail, _records = read_both(enterprise, fid)
    assert next(s for s in detail["sections"] if s["key"] == "basic_info")["attachments"] == []


def test_submit_withdraw_and_a_review_decision_are_seen_by_the_next_read(
    enterprise, persons, registry, client, services
):
    filing = complete_first_filing(enterprise, *persons)
    fid = filing["id"]
    read_both(enterprise, fid)
    registry.set_fault("timeout", delay=5)
    assert sign_and_submit(enterprise, fid).json["status"] == "manual_review"
    registry.clear_fault()
    detail, records = read_both(enterprise, fid)
    assert detail["status"] == row_of(records, fid)["status"] == "manual_review"
    assert detail["submission_attachments"] and detail["events"][-1]["to_status"] == "manual_review"

    regulators.create_regulator(services, "reviewer.li", "李审核", PASSWORD)
    token = client.post("/api/v1/review/login", json={"username": "reviewer.li", "password": PASSWORD}).json
    regulator = {"Authorization": f"Bearer {token['access_token']}"}
    shown = client.get(f"/api/v1/review/filings/{fid}", headers=regulator)
    before = version_of(services, enterprise.id)
    decided = client.post(
        f"/api/v1/review/filings/{fid}/decision",
        json={"decision": "approve", "reason": "已人工核实资质"},
        headers={**regulator, "If-Match": shown.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.json
    assert version_of(services, enterprise.id) > before
    detail, records = read_both(enterprise, fid)
    assert detail["status"] == row_of(records, fid)["status"] == "approved"
    assert detail["events"][-1]["actor"] == "李审核"


def test_an_automatic_approval_is_seen_by_the_next_read(enterprise, persons, services):
    filing = complete_first_filing(enterprise, *persons)
    read_both(enterprise, filing["id"])
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    detail, records = read_both(enterprise, filing["id"])
    assert detail["status"] == row_of(records, filing["id"])["status"] == "approved"
    assert detail["rule_results"] == decided["rule_results"] and detail["version"] == decided["version"]


def test_a_withdrawal_is_seen_by_the_next_read(enterprise, persons, registry, services):
    filing = complete_first_filing(enterprise, *persons)
    fid = filing["id"]
    registry.set_fault("timeout", delay=5)
    assert sign_and_submit(enterprise, fid).json["status"] == "manual_review"
    registry.clear_fault()
    read_both(enterprise, fid)
    withdrawn = enterprise.post(f"/api/v1/filings/{fid}/withdraw", headers={"If-Match": current_etag(enterprise, fid)})
    assert withdrawn.status_code == 200, withdrawn.json
    detail, records = read_both(enterprise, fid)
    assert detail["status"] == row_of(records, fid)["status"] == withdrawn.json["status"]
    assert detail["version"] == withdrawn.json["version"]


def test_a_write_outside_the_api_is_seen_by_the_next_read(enterprise, persons, services):
    """A job or a script writing with plain SQL (no ORM, no handler) moves the version all the same."""
    filing = complete_first_filing(enterprise, *persons)
    fid = filing["id"]
    read_both(enterprise, fid)
    with services.engine.begin() as connection:
        connection.execute(update(Filing).where(Filing.id == fid).values(reasons=["由后台任务写入"]))
    detail, records = read_both(enterprise, fid)
    assert detail["reasons"] == row_of(records, fid)["reasons"] == ["由后台任务写入"]

    with services.engine.begin() as connection:
        connection.execute(
            text("UPDATE filing_events SET note = :note WHERE filing_id = :fid"), {"note": '["备注"]', "fid": fid}
        )
    detail, _records = read_both(enterprise, fid)
    assert all(event["note"] == ["备注"] for event in detail["events"])


def test_a_chosen_persons_new_name_is_seen_by_the_next_read(enterprise, persons, services):
    responsible, _technical = persons
    filing = complete_first_filing(enterprise, *persons)
    read_both(enterprise, filing["id"])
    before = version_of(services, PERSONS_SCOPE)
    with services.uow() as uow:
        uow.session.get_one(Person, responsible).name = "张建华"
        uow.commit()
    assert version_of(services, PERSONS_SCOPE) > before
    detail, _records = read_both(enterprise, filing["id"])
    chosen = next(s for s in detail["sections"] if s["key"] == "responsible_person")["values"]["person"]
    assert chosen["id"] == responsible and chosen["name"] == "张建华"


def test_an_unchanged_person_leaves_the_kept_answers_alone(enterprise, persons, services):
    responsible, _technical = persons
    before = version_of(services, PERSONS_SCOPE)
    with services.uow() as uow:
        person = uow.session.get_one(Person, responsible)
        person.verified_at = person.created_at
        uow.commit()
    assert version_of(services, PERSONS_SCOPE) == before


def test_the_detail_of_another_day_is_rendered_for_that_day(enterprise, persons, services):
    """Expiry warnings depend on the day: a detail kept yesterday is not today's."""
    days = services.settings.expiry_warning_days
    filing = complete_first_filing(enterprise, *persons, valid_until=services.today() + timedelta(days=days + 1))
    url = f"/api/v1/filings/{filing['id']}"

    def warned() -> list[str]:
        detail = enterprise.get(url).json
        return next(s for s in detail["sections"] if s["key"] == "qualifications")["warnings"]

    assert warned() == warned() == []
    services.clock = lambda: utcnow() + timedelta(days=2)
    assert warned() and all("到期" in w for w in warned())
