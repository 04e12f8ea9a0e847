"""A filing contact files for the enterprise entirely from the mini-program, under their own name."""

from __future__ import annotations

import io

from sqlalchemy import select

from entryfiling.db.models import AuditEvent
from tests.api.flows import (
    basic_info,
    qualifications,
    registry_knows_certificate,
    registry_knows_qualifications,
    technical_person,
    xinjiang_office,
)
from tests.factories import PNG_BYTES, pdf_bytes


def make_contact(enterprise, verified_user, name="赵报送", role="filing_contact"):
    user = verified_user(name)
    code = enterprise.post("/api/v1/invitations", json={"role": role}).json["code"]
    assert user.post("/miniapp/v1/invitations/accept", json={"code": code}).status_code == 201
    return user


class PhoneFiling:
    """The filing steps of tests/api/flows.py, through /miniapp/v1."""

    def __init__(self, user, enterprise_id: int) -> None:
        self.user = user
        self.base = f"/miniapp/v1/enterprises/{enterprise_id}/filings"

    def open(self):
        response = self.user.post(self.base, json={"business": "first_filing", "enterprise_type": "construction"})
        assert response.status_code == 201, response.json
        return response.json

    def save(self, filing_id, section, values, expect=200):
        etag = self.user.get(f"{self.base}/{filing_id}").headers["ETag"]
        response = self.user.put(f"{self.base}/{filing_id}/sections/{section}", json=values, headers={"If-Match": etag})
        assert response.status_code == expect, response.json
        return response.json

    def upload(self, filing_id, kind, content=PNG_BYTES, filename="scan.png"):
        response = self.user.post(
            f"{self.base}/{filing_id}/attachments",
            data={"kind": kind, "file": (io.BytesIO(content), filename)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.json
        return response.json


def test_filing_contact_completes_and_submits_a_first_filing(enterprise, verified_user, services):
    contact = make_contact(enterprise, verified_user, "赵报送")
    technical = make_contact(enterprise, verified_user, "钱技术", role="employee")
    assert technical
    persons = {p["name"]: p["id"] for p in enterprise.get("/api/v1/persons").json["items"]}
    assert contact.get("/miniapp/v1/me").json["may_file_for"] == [
        {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}
    ]

    flow = PhoneFiling(contact, enterprise.id)
    filing = flow.open()
    fid = filing["id"]
    flow.save(fid, "basic_info", basic_info(enterprise))
    flow.upload(fid, "business_license")
    flow.upload(fid, "legal_representative_id_card")
    flow.save(fid, "qualifications", qualifications())
    flow.upload(fid, "qualification_certificates", pdf_bytes(), "资质证书.pdf")
    flow.upload(fid, "safety_license_scan", pdf_bytes(), "安全生产许可证.pdf")
    flow.save(
        fid, "responsible_person", {"person": persons["赵报送"], "position": "进疆负责人", "mobile": "13912345678"}
    )
    flow.upload(fid, "responsible_person_appointment", pdf_bytes(), "任命书.pdf")
    flow.upload(fid, "responsible_person_id_card")
    flow.upload(fid, "responsible_person_employment_proof", pdf_bytes(), "社保缴纳证明.pdf")
    flow.save(fid, "technical_person", technical_person(persons["钱技术"]))
    registry_knows_qualifications(enterprise, qualifications()["qualifications"])
    registry_knows_certificate(enterprise, persons["钱技术"], "一级注册建造师", "皖1342010201812345", "建筑工程")
    flow.upload(fid, "technical_title_certificate")
    flow.upload(fid, "technical_person_appointment")
    flow.upload(fid, "premises_proof", pdf_bytes(), "租赁合同.pdf")
    last = flow.save(fid, "xinjiang_office", xinjiang_office(enterprise))
    assert last["complete"] is True
    assert last["commitment_letter_url"] == f"{flow.base}/{fid}/commitment-letter"
    assert all(a["download_url"].startswith(flow.base) for s in last["sections"] for a in s["attachments"])

    letter_pdf = contact.get(last["commitment_letter_url"])
    assert letter_pdf.status_code == 200 and letter_pdf.data.startswith(b"%PDF")
    letter = flow.upload(fid, "commitment_letter", letter_pdf.data, "承诺书-签章.pdf")["attachment"]
    submitted = contact.post(
        f"{flow.base}/{fid}/submit",
        json={"agreed": True, "signed_letter": letter["id"]},
        headers={"Idempotency-Key": "phone-1"},
    )
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "approved", submitted.json["reasons"]
    assert [e["actor"] for e in submitted.json["events"]][:2] == ["赵报送", "赵报送"]

    # The enterprise sees the same filing; the record list works from the phone too.
    assert enterprise.get(f"/api/v1/filings/{fid}").json["status"] == "approved"
    assert contact.get(f"{flow.base}?status=approved").json["total"] == 1
    with services.uow() as uow:
        actions = uow.session.execute(
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.actor_type).where(
                AuditEvent.target == f"filing:{fid}", AuditEvent.action != "filing_approved"
            )
        ).all()
    assert actions and {(name, kind) for _a, name, kind in actions} == {("赵报送", "person")}


def test_only_current_filing_contacts_of_that_enterprise_may_file(
    enterprise, login_enterprise, verified_user, miniapp_login
):
    employee = make_contact(enterprise, verified_user, "孙员工", role="employee")
    contact = make_contact(enterprise, verified_user, "周联系")
    other = login_enterprise("新疆另一家建设有限公司")
    base = f"/miniapp/v1/enterprises/{enterprise.id}/filings"
    body = {"business": "first_filing", "enterprise_type": "construction"}

    refused = employee.post(base, json=body)
    assert refused.status_code == 403 and "报送联系人" in refused.json["detail"]
    assert contact.post(f"/miniapp/v1/enterprises/{other.id}/filings", json=body).status_code == 403
    opened = contact.post(base, json=body)
    assert opened.status_code == 201
    # Filings of another enterprise stay invisible even to a contact (not found, as on the web).
    other_filing = other.post("/api/v1/filings", json=body).json
    assert contact.get(f"{base}/{other_filing['id']}").status_code == 404

    employment_id = contact.get("/miniapp/v1/me").json["employments"][0]["id"]
    assert enterprise.post(f"/api/v1/employments/{employment_id}/end").status_code == 200
    assert contact.get(f"{base}/{opened.json['id']}").status_code == 401  # the phone session ended with the role
    contact = miniapp_login(contact.openid)
    assert contact.get(f"{base}/{opened.json['id']}").status_code == 403
    assert contact.get("/miniapp/v1/me").json["may_file_for"] == []


def test_contact_actions_follow_the_same_rules_as_the_enterprise_api(enterprise, verified_user):
    contact = make_contact(enterprise, verified_user)
    flow = PhoneFiling(contact, enterprise.id)
    filing = flow.open()
    missing_etag = contact.put(f"{flow.base}/{filing['id']}/sections/basic_info", json={})
    assert missing_etag.status_code == 428
    bad = flow.save(filing["id"], "basic_info", {"uscc": "123"}, expect=422)
    assert "uscc" in bad["errors"]
    refused = contact.post(f"{flow.base}/{filing['id']}/submit", json={"agreed": False})
    assert refused.status_code == 422 and refused.json["code"] == "submission_refused"


def test_contact_change_with_the_certificate_name_is_approved_not_sent_to_review(
    enterprise, verified_user, make_person
):
    """The name check compares with the inviting enterprise's certificate, not with the contact's own name."""
    from tests.api.flows import complete_first_filing, sign_and_submit

    person = make_person("张建国", employed_by=enterprise.id)
    first = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, first["id"]).json["status"] == "approved"
    contact = make_contact(enterprise, verified_user)
    base = f"/miniapp/v1/enterprises/{enterprise.id}/filings"
    filing = contact.post(base, json={"business": "basic_info_change"}).json
    for kind in ("business_license", "legal_representative_id_card"):
        response = contact.post(
            f"{base}/{filing['id']}/attachments",
            data={"kind": kind, "file": (io.BytesIO(PNG_BYTES), "scan.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.json
    etag = contact.get(f"{base}/{filing['id']}").headers["ETag"]
    saved = contact.put(
        f"{base}/{filing['id']}/sections/basic_info", json={"contact_name": "赵报送"}, headers={"If-Match": etag}
    )
    assert saved.status_code == 200, saved.json
    letter = contact.post(
        f"{base}/{filing['id']}/attachments",
        data={
            "kind": "commitment_letter",
            "file": (io.BytesIO(contact.get(f"{base}/{filing['id']}/commitment-letter").data), "letter.pdf"),
        },
        content_type="multipart/form-data",
    ).json["attachment"]
    decided = contact.post(f"{base}/{filing['id']}/submit", json={"agreed": True, "signed_letter": letter["id"]})
    assert decided.json["status"] == "approved", decided.json["reasons"]
