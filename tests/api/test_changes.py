"""Businesses 3 and 4 (changes), the change history, withdraw and copy, through the HTTP API."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.api.flows import (
    LEGAL_REP_ID,
    complete_first_filing,
    current_etag,
    qualifications,
    registry_knows_certificate,
    registry_knows_qualifications,
    save,
    sign_and_submit,
    signed_letter,
    upload,
)
from tests.factories import make_id_number, pdf_bytes


def open_business(enterprise, business: str, expect: int = 201, **body) -> dict:
    response = enterprise.post("/api/v1/filings", json={"business": business, **body})
    assert response.status_code == expect, response.json
    return response.json


def section_of(filing: dict, key: str) -> dict:
    return next(s for s in filing["sections"] if s["key"] == key)


def public_entry(client, uscc: str) -> dict:
    response = client.get(f"/api/v1/public/enterprises/{uscc}")
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def filed(enterprise, make_person):
    """A construction enterprise whose first filing was approved, with its two responsible persons."""
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    return enterprise, responsible, technical


def test_basic_info_change_updates_record_history_and_register(filed, client):
    enterprise, _responsible, _technical = filed
    before = public_entry(client, enterprise.uscc)
    assert before["record"]["basic_info"]["values"]["xinjiang_office_address"] == "新疆乌鲁木齐市天山区解放北路 8 号"

    filing = open_business(enterprise, "basic_info_change")
    basic = section_of(filing, "basic_info")
    assert basic["saved"] and basic["values"]["contact_name"] == "王小明"
    assert basic["values"]["legal_representative_id_number"] == "1101**********002X"
    assert {m["kind"] for m in basic["missing_attachments"]} == {"business_license", "legal_representative_id_card"}
    upload(enterprise, filing["id"], "business_license")
    upload(enterprise, filing["id"], "legal_representative_id_card")

    unchanged = sign_and_submit(enterprise, filing["id"])
    assert unchanged.status_code == 422
    assert "未修改任何备案信息" in " ".join(unchanged.json["problems"])

    save(
        enterprise,
        filing,
        "basic_info",
        {"contact_name": "赵新联", "xinjiang_office_address": "新疆乌鲁木齐市沙依巴克区友好北路 1 号"},
    )
    letter = enterprise.get(f"/api/v1/filings/{filing['id']}").json["submission_attachments"][0]
    decided = enterprise.post(
        f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": letter["id"]}
    ).json
    assert decided["status"] == "approved", decided
    changes = {c["field"]: c for c in decided["record_changes"]}
    assert set(changes) == {"contact_name", "xinjiang_office_address"}
    assert changes["contact_name"]["before"] == "王小明" and changes["contact_name"]["after"] == "赵新联"
    assert changes["contact_name"]["section_label"] == "企业基本情况"

    record = enterprise.get("/api/v1/enterprise").json["filed_record"]["basic_info"]
    assert record["contact_name"] == "赵新联"
    assert record["legal_representative_id_number"] == "1101**********002X"
    after = public_entry(client, enterprise.uscc)
    assert after["record"]["basic_info"]["values"]["xinjiang_office_address"] == "新疆乌鲁木齐市沙依巴克区友好北路 1 号"

    history = enterprise.get("/api/v1/enterprise/history").json
    assert history["total"] == 2
    assert [i["business"] for i in history["items"]] == ["basic_info_change", "first_filing"]
    assert history["items"][0]["changes"] == decided["record_changes"]
    first = history["items"][1]["changes"]
    assert any(c["field"] == "publicity_until" and c["change"] == "added" for c in first)
    paged = enterprise.get("/api/v1/enterprise/history?page=2&page_size=1").json
    assert paged["pages"] == 2 and paged["items"][0]["business"] == "first_filing"
    assert LEGAL_REP_ID not in str(history)


def test_changed_id_number_is_in_history_masked(filed):
    enterprise, _r, _t = filed
    filing = open_business(enterprise, "basic_info_change")
    new_id = make_id_number()
    save(
        enterprise,
        filing,
        "basic_info",
        {"legal_representative_name": "李新", "legal_representative_id_number": new_id},
    )
    upload(enterprise, filing["id"], "business_license")
    upload(enterprise, filing["id"], "legal_representative_id_card")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved"
    change = next(c for c in decided["record_changes"] if c["field"] == "legal_representative_id_number")
    assert change["before"] == "1101**********002X"
    assert change["after"] == new_id[:4] + "*" * 10 + new_id[-4:]
    assert new_id not in str(enterprise.get("/api/v1/enterprise/history").json)


def test_name_change_goes_to_manual_review_and_can_be_withdrawn(filed, client):
    enterprise, _r, _t = filed
    filing = open_business(enterprise, "basic_info_change")
    withdraw_draft = enterprise.post(f"/api/v1/filings/{filing['id']}/withdraw")
    assert withdraw_draft.status_code == 409 and "无需撤回" in withdraw_draft.json["detail"]

    save(enterprise, filing, "basic_info", {"enterprise_name": "安徽德拓建设集团有限公司"})
    upload(enterprise, filing["id"], "business_license")
    upload(enterprise, filing["id"], "legal_representative_id_card")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "manual_review"
    assert any("与 CA 证书中的" in r and "人工审核" in r for r in decided["reasons"])
    assert public_entry(client, enterprise.uscc)["name"] == enterprise.name

    again = open_business(enterprise, "basic_info_change", expect=200)
    assert again["id"] == filing["id"]

    withdrawn = enterprise.post(f"/api/v1/filings/{filing['id']}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["status"] == "withdrawn" and withdrawn.json["status_label"] == "已撤回"
    assert [e["to_status"] for e in withdrawn.json["events"]][-2:] == ["manual_review", "withdrawn"]
    twice = enterprise.post(f"/api/v1/filings/{filing['id']}/withdraw")
    assert twice.status_code == 409
    assert enterprise.get("/api/v1/enterprise").json["filed_record"]["basic_info"]["enterprise_name"] == enterprise.name

    fresh = open_business(enterprise, "basic_info_change")
    assert fresh["id"] != filing["id"]
    records = enterprise.get("/api/v1/filings?status=withdrawn").json
    assert [i["id"] for i in records["items"]] == [filing["id"]]


def test_decided_filing_cannot_be_withdrawn(filed):
    enterprise, _r, _t = filed
    approved = enterprise.get("/api/v1/filings?status=approved").json["items"][0]
    response = enterprise.post(f"/api/v1/filings/{approved['id']}/withdraw")
    assert response.status_code == 409 and "审批通过" in response.json["detail"]
    assert enterprise.post("/api/v1/filings/999999/withdraw").status_code == 404


def test_responsible_person_change_regenerates_letter_and_publishes_new_name(filed, make_person, client):
    enterprise, _responsible, _technical = filed
    new_id_number = make_id_number()
    newcomer = make_person("马新疆", employed_by=enterprise.id, id_number=new_id_number)
    stranger = make_person("外单位")
    filing = open_business(enterprise, "responsible_person_change")
    assert [s["key"] for s in filing["sections"]] == ["responsible_person"]
    assert section_of(filing, "responsible_person")["values"]["person"]["name"] == "张建国"

    refused = save(enterprise, filing, "responsible_person", {"person": stranger}, expect=422)
    assert "未与本企业建立聘用关系" in refused["errors"]["person"]
    save(enterprise, filing, "responsible_person", {"person": newcomer, "mobile": "13700001111"})
    upload(enterprise, filing["id"], "responsible_person_appointment", pdf_bytes(), "任命书.pdf")
    upload(enterprise, filing["id"], "responsible_person_id_card")
    upload(enterprise, filing["id"], "responsible_person_employment_proof")

    letter = enterprise.get(f"/api/v1/filings/{filing['id']}/commitment-letter")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "马新疆" in text and new_id_number in text and "张建国" not in text
    assert "李德拓" in text  # the legal representative comes from the filed record

    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided
    person_change = next(c for c in decided["record_changes"] if c["field"] == "person")
    assert person_change["before"]["name"] == "张建国" and person_change["after"]["name"] == "马新疆"

    record = enterprise.get("/api/v1/enterprise").json["filed_record"]["responsible_person"]
    assert record["person"] == newcomer and record["mobile"] == "13700001111"
    published = public_entry(client, enterprise.uscc)
    assert published["record"]["responsible_person"]["values"]["person"] == {"name": "马新疆"}
    assert new_id_number not in str(published) and "id" not in published["record"]["responsible_person"]["values"]


def test_technical_person_change(filed, make_person, client):
    enterprise, _responsible, _technical = filed
    newcomer = make_person("周总工", employed_by=enterprise.id)
    filing = open_business(enterprise, "technical_person_change")
    save(enterprise, filing, "technical_person", {"person": newcomer, "professional_title": "senior_professor"})
    registry_knows_certificate(enterprise, newcomer, "一级注册建造师", "皖1342010201812345", "建筑工程")
    upload(enterprise, filing["id"], "technical_title_certificate")
    upload(enterprise, filing["id"], "technical_person_appointment")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided
    assert {c["field"] for c in decided["record_changes"]} == {"person", "professional_title"}
    title = next(c for c in decided["record_changes"] if c["field"] == "professional_title")
    assert (title["before"], title["after"]) == ("高级工程师", "正高级工程师")
    assert public_entry(client, enterprise.uscc)["record"]["technical_person"]["values"]["person"]["name"] == "周总工"


def test_change_businesses_need_a_filed_enterprise(enterprise):
    for business in ("basic_info_change", "responsible_person_change", "technical_person_change"):
        response = enterprise.post("/api/v1/filings", json={"business": business, "enterprise_type": "construction"})
        assert response.status_code == 403
        assert "仅适用于已完成首次信息报送" in response.json["detail"]


def test_rejected_filing_is_copied_into_a_new_draft(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    expired = date.today() - timedelta(days=3)
    filing = complete_first_filing(enterprise, person, person, valid_until=expired)
    rejected = sign_and_submit(enterprise, filing["id"]).json
    assert rejected["status"] == "rejected"

    copied = enterprise.post(f"/api/v1/filings/{filing['id']}/copy")
    assert copied.status_code == 201, copied.json
    draft = copied.json
    assert draft["id"] != filing["id"] and draft["status"] == "draft"
    assert draft["copied_from_id"] == filing["id"]
    assert draft["sections"][0]["values"] == rejected["sections"][0]["values"]
    kinds = sorted(a["kind"] for s in draft["sections"] for a in s["attachments"])
    assert kinds == sorted(a["kind"] for s in rejected["sections"] for a in s["attachments"])
    assert draft["submission_attachments"] == [] and draft["signed_letter_id"] is None
    assert "复制自办件" in draft["events"][0]["note"][0]

    # The copy owns its files: deleting one leaves the rejected filing's attachment downloadable.
    license_copy = section_of(draft, "basic_info")["attachments"][0]
    enterprise.delete(f"/api/v1/filings/{draft['id']}/attachments/{license_copy['id']}")
    original = section_of(rejected, "basic_info")["attachments"][0]
    assert enterprise.get(original["download_url"]).status_code == 200
    upload(enterprise, draft["id"], "business_license")

    again = enterprise.post(f"/api/v1/filings/{filing['id']}/copy")
    assert again.status_code == 409 and again.json["open_filing_id"] == draft["id"]

    save(enterprise, draft, "qualifications", qualifications())
    registry_knows_qualifications(enterprise, qualifications()["qualifications"])  # the renewed certificates
    decided = sign_and_submit(enterprise, draft["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    approved_copy = enterprise.post(f"/api/v1/filings/{draft['id']}/copy")
    assert approved_copy.status_code == 409 and "审批不通过" in approved_copy.json["detail"]


def test_withdraw_respects_if_match(filed):
    enterprise, _r, _t = filed
    filing = open_business(enterprise, "basic_info_change")
    save(enterprise, filing, "basic_info", {"enterprise_name": "新名称建设有限公司"})
    upload(enterprise, filing["id"], "business_license")
    upload(enterprise, filing["id"], "legal_representative_id_card")
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "manual_review"
    stale = enterprise.post(f"/api/v1/filings/{filing['id']}/withdraw", headers={"If-Match": '"1-1"'})
    assert stale.status_code == 412
    etag = current_etag(enterprise, filing["id"])
    assert enterprise.post(f"/api/v1/filings/{filing['id']}/withdraw", headers={"If-Match": etag}).status_code == 200


def test_concurrent_changes_of_one_enterprise_both_land(filed, make_person, app, services):
    """Two change businesses approved at the same moment each rewrite the record: neither may be lost."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises its single writer")
    from concurrent.futures import ThreadPoolExecutor

    enterprise, _responsible, _technical = filed
    boss = make_person("新负责人", employed_by=enterprise.id)
    engineer = make_person("新技术负责人", employed_by=enterprise.id)
    ready = []
    for business, section, person, kinds in (
        (
            "responsible_person_change",
            "responsible_person",
            boss,
            ("responsible_person_appointment", "responsible_person_id_card", "responsible_person_employment_proof"),
        ),
        (
            "technical_person_change",
            "technical_person",
            engineer,
            ("technical_title_certificate", "technical_person_appointment"),
        ),
    ):
        filing = open_business(enterprise, business)
        save(enterprise, filing, section, {"person": person})
        registry_knows_certificate(enterprise, person, "一级注册建造师", "皖1342010201812345", "建筑工程")
        for kind in kinds:
            upload(enterprise, filing["id"], kind)
        signed = signed_letter(enterprise, filing["id"])
        letter = upload(enterprise, filing["id"], "commitment_letter", signed, "letter.pdf")["attachment"]
        ready.append((filing["id"], letter["id"]))

    def submit(item: tuple[int, str]) -> int:
        response = app.test_client().post(
            f"/api/v1/filings/{item[0]}/submit",
            json={"agreed": True, "signed_letter": item[1]},
            headers=enterprise.headers,
        )
        return response.json["status"]

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(submit, ready)) == ["approved", "approved"]
    record = enterprise.get("/api/v1/enterprise").json["filed_record"]
    assert record["responsible_person"]["person"] == boss and record["technical_person"]["person"] == engineer
