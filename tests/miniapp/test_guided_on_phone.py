"""A filing contact fills a draft on the phone one answer at a time; the web sees the same draft."""

from __future__ import annotations

import io

from tests.api.flows import REAL_FILING_ANSWERS, open_first_filing, registry_agrees, signed_letter, skip_or
from tests.factories import pdf_bytes
from tests.miniapp.test_filing_contact import make_contact

ANSWERS = {
    "registered_province": "12",
    "registered_address": "安徽省合肥市蜀山区长江西路1号",
    "registered_capital": "1.2亿",
    "established_on": "2010.6.1",
    "legal_representative_name": "李德拓",
    "legal_representative_id_number": "11010519750109002X",
    "contact_name": "赵报送",
    "contact_phone": "13912345678",
    "xinjiang_office_address": "新疆乌鲁木齐市天山区解放北路8号",
    "name": "建筑工程施工总承包贰级",
    "certificate_number": "D234023425",
    "valid_until": "2030年12月31日",
    "issued_on": "2026-01-10",
    "position": "进疆负责人",
    "mobile": "13912345678",
    "professional_title": "高级工程师",
    "title_certificate_number": "GC2019-001",
    "title_specialty": "建筑工程",
    "years_in_field": "15",
    "registered_certificate_type": "一级注册建造师",
    "registered_certificate_number": "皖1342010201812345",
    "registered_specialty": "建筑工程",
} | REAL_FILING_ANSWERS


def test_contact_completes_a_first_filing_by_answers_and_submits(enterprise, verified_user, make_person):
    contact = make_contact(enterprise, verified_user)
    registry_agrees(enterprise, make_person("张建国", employed_by=enterprise.id))
    filing = open_first_filing(enterprise)  # opened on the web, continued on the phone
    fid = filing["id"]
    answers = ANSWERS | {"enterprise_name": enterprise.name, "uscc": enterprise.uscc, "person": "张建国"}
    wrong_date_asked = False
    for _ in range(80):
        view = contact.get(f"/miniapp/v1/filings/{fid}/next")
        assert view.status_code == 200, view.json
        if view.json["status"] == "ready":
            break
        step = view.json["step"]
        if step["type"] == "attachment":
            response = contact.post(
                f"/miniapp/v1/enterprises/{enterprise.id}/filings/{fid}/attachments",
                data={"kind": step["attachment"]["kind"], "file": (io.BytesIO(pdf_bytes()), "scan.pdf")},
                content_type="multipart/form-data",
            )
            assert response.status_code == 201, response.json
            continue
        key = step["path"].rsplit(".", 1)[-1]
        if key == "established_on" and not wrong_date_asked:
            wrong_date_asked = True
            wrong = contact.post(
                f"/miniapp/v1/filings/{fid}/answers",
                json={"field": step["path"], "value": "去年"},
                headers={"If-Match": view.headers["ETag"]},
            )
            assert wrong.status_code == 422 and wrong.json["step"]["path"] == step["path"]
            continue
        if step["type"] == "person":
            assert {p["name"] for p in step["persons"]} == {"张建国", "赵报送"}
        response = contact.post(
            f"/miniapp/v1/filings/{fid}/answers",
            json={"field": step["path"], "value": skip_or(step, answers)},
            headers={"If-Match": view.headers["ETag"]},
        )
        assert response.status_code == 200, response.json
    else:
        raise AssertionError("never ready")
    assert wrong_date_asked
    web = enterprise.get(f"/api/v1/filings/{fid}").json
    assert web["complete"] and web["sections"][0]["values"]["registered_capital"] == "12000.00"
    letter = contact.post(
        f"/miniapp/v1/enterprises/{enterprise.id}/filings/{fid}/attachments",
        data={"kind": "commitment_letter", "file": (io.BytesIO(signed_letter(enterprise, fid)), "letter.pdf")},
        content_type="multipart/form-data",
    ).json["attachment"]
    decided = contact.post(
        f"/miniapp/v1/enterprises/{enterprise.id}/filings/{fid}/submit",
        json={"agreed": True, "signed_letter": letter["id"]},
    )
    assert decided.status_code == 200 and decided.json["status"] == "approved"


def test_people_who_are_not_contacts_cannot_guide_a_filing(enterprise, verified_user):
    filing = open_first_filing(enterprise)
    employee = make_contact(enterprise, verified_user, name="钱员工", role="employee")
    assert employee.get(f"/miniapp/v1/filings/{filing['id']}/next").status_code == 404
    stranger = verified_user("孙路人")
    assert stranger.get(f"/miniapp/v1/filings/{filing['id']}/next").status_code == 404
    assert stranger.get("/miniapp/v1/filings/999999/next").status_code == 404
