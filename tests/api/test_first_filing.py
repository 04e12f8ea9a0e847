"""The first filing (首次信息报送) end to end, through the HTTP API."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from entryfiling.db.models import AuditEvent, Filing
from tests.api.flows import (
    LEGAL_REP_ID,
    basic_info,
    complete_first_filing,
    current_etag,
    open_first_filing,
    qualifications,
    save,
    sign_and_submit,
    signed_letter,
    upload,
)


def test_first_filing_is_approved_and_published(enterprise, make_person, services):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    assert [s["complete"] for s in filing["sections"]] == [True, True, True, True, True]

    response = sign_and_submit(enterprise, filing["id"], key="submit-1")
    assert response.status_code == 200, response.json
    decided = response.json
    assert decided["status"] == "approved", decided["reasons"]
    assert decided["status_label"] == "审批通过"
    assert [e["to_status"] for e in decided["events"]] == ["draft", "submitted", "approved"]
    assert all(r["passed"] for r in decided["rule_results"])

    profile = enterprise.get("/api/v1/enterprise").json
    assert profile["filed"] is True
    assert profile["enterprise_type"] == "construction"
    assert profile["publicity_until"] == (services.today() + timedelta(days=365)).isoformat()
    assert profile["filed_record"]["basic_info"]["legal_representative_id_number"] == "1101**********002X"
    assert len(profile["filed_record"]["qualifications"]["qualifications"]) == 2

    records = enterprise.get("/api/v1/filings?status=approved").json
    assert records["total"] == 1 and records["items"][0]["business_label"] == "首次信息报送"


def test_retried_submit_returns_first_result_and_files_once(enterprise, make_person, services):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    signed = signed_letter(enterprise, filing["id"])
    letter = upload(enterprise, filing["id"], "commitment_letter", signed, "letter.pdf")["attachment"]
    body = {"agreed": True, "signed_letter": letter["id"]}
    first = enterprise.post(f"/api/v1/filings/{filing['id']}/submit", json=body, headers={"Idempotency-Key": "k-1"})
    again = enterprise.post(f"/api/v1/filings/{filing['id']}/submit", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    with services.uow() as uow:
        assert len(uow.session.scalars(select(Filing)).all()) == 1
    other = enterprise.post(
        f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    without_key = enterprise.post(f"/api/v1/filings/{filing['id']}/submit", json=body)
    assert without_key.status_code == 409
    assert "只有草稿可以修改" in without_key.json["detail"]


def test_submit_rejects_expired_qualification(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    expired = date.today() - timedelta(days=3)
    filing = complete_first_filing(enterprise, person, person, valid_until=expired)
    section = next(s for s in filing["sections"] if s["key"] == "qualifications")
    assert any("过期" in w for w in section["warnings"])
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("建筑工程施工总承包贰级" in r and f"已于 {expired.isoformat()} 过期" in r for r in decided["reasons"])
    assert enterprise.get("/api/v1/enterprise").json["filed"] is False


def test_submit_rejects_uscc_other_than_certificate(enterprise, make_person):
    from tests.factories import make_uscc

    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person, uscc=make_uscc())
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("与 CA 证书中的" in r for r in decided["reasons"])


def test_submit_rejects_person_whose_employment_ended_after_choice(enterprise, make_person, services):
    from handlers import persons

    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    with services.uow() as uow:
        from entryfiling.db.models import Employment

        employment_id = uow.session.scalar(select(Employment.id).where(Employment.person_id == person))
    persons.end_employment(services, employment_id)
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("未与本企业建立聘用关系" in r for r in decided["reasons"])


def test_submit_lists_every_problem_and_keeps_the_draft(enterprise):
    filing = open_first_filing(enterprise)
    save(enterprise, filing, "basic_info", {"enterprise_name": enterprise.name, "uscc": None})
    response = enterprise.post(f"/api/v1/filings/{filing['id']}/submit", json={"agreed": False})
    assert response.status_code == 422
    problem = response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert set(problem["errors"]) == {"sections_complete", "commitment_agreed", "signed_letter_present"}
    assert any("企业资质情况尚未填写保存" in p for p in problem["problems"])
    assert any("缺少统一社会信用代码" in p for p in problem["problems"])
    assert enterprise.get(f"/api/v1/filings/{filing['id']}").json["status"] == "draft"


def test_signed_letter_must_be_a_pdf(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    response = upload(enterprise, filing["id"], "commitment_letter", b"%PNG not really", "letter.pdf", expect=422)
    assert "PDF" in response["errors"]["file"]


def test_partial_save_reports_missing_fields_and_attachments(enterprise):
    filing = open_first_filing(enterprise)
    saved = save(enterprise, filing, "basic_info", {"enterprise_name": enterprise.name, "uscc": enterprise.uscc})
    basic = next(s for s in saved["sections"] if s["key"] == "basic_info")
    assert basic["saved"] and not basic["complete"]
    missing = {m["path"] for m in basic["missing_fields"]}
    assert "legal_representative_id_number" in missing and "uscc" not in missing
    assert {m["kind"] for m in basic["missing_attachments"]} == {"business_license", "legal_representative_id_card"}
    cleared = save(enterprise, filing, "basic_info", {"uscc": None})
    basic = next(s for s in cleared["sections"] if s["key"] == "basic_info")
    assert "uscc" in {m["path"] for m in basic["missing_fields"]}
    assert basic["values"]["enterprise_name"] == enterprise.name


def test_section_save_names_each_bad_field(enterprise):
    filing = open_first_filing(enterprise)
    values = basic_info(
        enterprise,
        uscc="91350100M000100Y44",
        legal_representative_id_number="110105194912310021",
        established_on="2021-02-30",
        registered_province="新疆维吾尔自治区",
        bogus="x",
    )
    problem = save(enterprise, filing, "basic_info", values, expect=422)
    assert set(problem["errors"]) == {
        "uscc",
        "legal_representative_id_number",
        "established_on",
        "registered_province",
        "bogus",
    }
    assert problem["errors"]["uscc"].startswith("统一社会信用代码：")
    assert "校验" in problem["errors"]["uscc"]
    # Nothing was saved: the section holds only what the CA certificate prefilled at opening.
    kept = enterprise.get(f"/api/v1/filings/{filing['id']}").json["sections"][0]["values"]
    assert kept == {"enterprise_name": enterprise.name, "uscc": enterprise.uscc}


def test_qualification_rows_are_checked_by_path(enterprise):
    filing = open_first_filing(enterprise)
    rows = qualifications()
    rows["qualifications"][1]["valid_until"] = "2025年2月30日"
    problem = save(enterprise, filing, "qualifications", rows, expect=422)
    assert list(problem["errors"]) == ["qualifications[1].valid_until"]


def test_id_numbers_are_encrypted_at_rest_and_masked(enterprise, services):
    filing = open_first_filing(enterprise)
    shown = save(enterprise, filing, "basic_info", basic_info(enterprise))
    assert shown["sections"][0]["values"]["legal_representative_id_number"] == "1101**********002X"
    with services.uow() as uow:
        stored = uow.session.get(Filing, filing["id"]).sections["basic_info"]
    assert LEGAL_REP_ID not in str(stored)
    assert LEGAL_REP_ID not in enterprise.get(f"/api/v1/filings/{filing['id']}").get_data(as_text=True)


def test_person_must_be_verified_and_employed(enterprise, make_person, login_enterprise):
    filing = open_first_filing(enterprise)
    unverified = make_person("赵未认证", verified=False, employed_by=enterprise.id)
    unemployed = make_person("钱未聘用")
    other = login_enterprise("另一家建设有限公司")
    elsewhere = make_person("孙外企", employed_by=other.id)
    for person, reason in (
        (unverified, "尚未在小程序完成实名认证"),
        (unemployed, "未与本企业建立聘用关系"),
        (elsewhere, "未与本企业建立聘用关系"),
        (999999, "人员不存在"),
    ):
        problem = save(enterprise, filing, "responsible_person", {"person": person}, expect=422)
        assert reason in problem["errors"]["person"]
    selectable = enterprise.get("/api/v1/persons").json
    assert selectable["total"] == 0


def test_selectable_persons_are_paginated_and_searchable(enterprise, make_person):
    for index in range(5):
        make_person(f"张{index}", employed_by=enterprise.id)
    make_person("李四", employed_by=enterprise.id)
    page = enterprise.get("/api/v1/persons?page=2&page_size=2").json
    assert page["total"] == 6 and page["pages"] == 3 and len(page["items"]) == 2
    found = enterprise.get("/api/v1/persons?q=李").json
    assert [p["name"] for p in found["items"]] == ["李四"]
    assert "*" in found["items"][0]["id_number"]


def test_cost_consulting_enterprise_has_no_first_filing(enterprise):
    response = enterprise.post(
        "/api/v1/filings", json={"business": "first_filing", "enterprise_type": "cost_consulting"}
    )
    assert response.status_code == 403
    assert "造价咨询企业只有项目进疆报送" in response.json["detail"]


def test_opening_again_returns_the_open_filing(enterprise):
    first = open_first_filing(enterprise)
    again = enterprise.post("/api/v1/filings", json={"business": "first_filing", "enterprise_type": "construction"})
    assert again.status_code == 200 and again.json["id"] == first["id"]


def test_bad_open_requests_are_clear(enterprise):
    unknown = enterprise.post("/api/v1/filings", json={"business": "nope"})
    assert unknown.status_code == 422 and "未知的业务类型" in unknown.json["detail"]
    no_type = enterprise.post("/api/v1/filings", json={"business": "first_filing"})
    assert no_type.status_code == 422 and "enterprise_type" in no_type.json["errors"]
    bad_type = enterprise.post("/api/v1/filings", json={"business": "first_filing", "enterprise_type": "bank"})
    assert bad_type.status_code == 422
    not_json = enterprise.post("/api/v1/filings", data="garbage", content_type="application/json")
    assert 400 <= not_json.status_code < 500
    filing = open_first_filing(enterprise)
    assert (
        enterprise.put(
            f"/api/v1/filings/{filing['id']}/sections/nope", json={}, headers={"If-Match": filing["etag"]}
        ).status_code
        == 404
    )


def test_stale_or_missing_if_match_is_refused(enterprise):
    filing = open_first_filing(enterprise)
    url = f"/api/v1/filings/{filing['id']}/sections/basic_info"
    missing = enterprise.put(url, json={"contact_name": "甲"})
    assert (
        missing.status_code == 428 and "If-Match" not in missing.json["detail"] and "If-Match" in missing.json["hint"]
    )
    etag = current_etag(enterprise, filing["id"])
    assert enterprise.put(url, json={"contact_name": "甲"}, headers={"If-Match": etag}).status_code == 200
    stale = enterprise.put(url, json={"contact_name": "乙"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and "已被他人修改" in stale.json["detail"]
    values = enterprise.get(f"/api/v1/filings/{filing['id']}").json["sections"][0]["values"]
    assert values["contact_name"] == "甲"


def test_commitment_letter_is_prefilled(enterprise, make_person):
    from tests.factories import make_id_number

    id_number = make_id_number()
    person = make_person("张建国", employed_by=enterprise.id, id_number=id_number)
    filing = open_first_filing(enterprise)
    save(enterprise, filing, "basic_info", basic_info(enterprise))
    save(enterprise, filing, "responsible_person", {"person": person})
    response = enterprise.get(f"/api/v1/filings/{filing['id']}/commitment-letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    compact = "".join(text.split())
    for expected in ("企业诚信守法承诺书", "李德拓", LEGAL_REP_ID, "张建国", id_number, "不得以任何理由拖欠农民工工资"):
        assert expected in compact


def test_state_changes_are_audited(enterprise, make_person, services):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    sign_and_submit(enterprise, filing["id"])
    with services.uow() as uow:
        actions = [e.action for e in uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        actors = {e.actor_name for e in uow.session.scalars(select(AuditEvent))}
    for action in (
        "login",
        "filing_opened",
        "section_saved",
        "attachment_uploaded",
        "filing_submitted",
        "filing_approved",
    ):
        assert action in actions
    assert enterprise.name in actors


def test_a_filed_enterprise_files_changes_not_a_second_first_filing(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    again = enterprise.post("/api/v1/filings", json={"business": "first_filing"})
    assert again.status_code == 403
    assert "已完成首次信息报送" in again.json["detail"]


def test_section_save_refuses_an_unknown_qualification_name_with_suggestions(enterprise):
    filing = open_first_filing(enterprise)
    rows = qualifications()
    rows["qualifications"][0]["name"] = "建筑施工总承包二级"
    problem = save(enterprise, filing, "qualifications", rows, expect=422)
    assert list(problem["errors"]) == ["qualifications[0].name"]
    assert "您是否要填写" in problem["errors"]["qualifications[0].name"]
    assert "建筑工程施工总承包乙级" in problem["errors"]["qualifications[0].name"]
