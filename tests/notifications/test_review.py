"""Regulators review what the rules sent to a person; only they can, and they cannot edit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from entryfiling.db.models import AuditEvent, Regulator
from entryfiling.domain.errors import Conflict, ValidationFailed
from handlers import regulators
from tests.api.flows import complete_first_filing, save, sign_and_submit, upload
from tests.notifications.conftest import REGULATOR_PASSWORD


def filed_enterprise(enterprise, make_person) -> None:
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"


def name_change_in_review(enterprise) -> dict:
    """A 企业基本信息变更 whose new name differs from the CA certificate: manual review."""
    filing = enterprise.post("/api/v1/filings", json={"business": "basic_info_change"}).json
    save(enterprise, filing, "basic_info", {"enterprise_name": "安徽德拓建设集团有限公司"})
    upload(enterprise, filing["id"], "business_license")
    upload(enterprise, filing["id"], "legal_representative_id_card")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "manual_review", decided
    return decided


def test_manual_review_approved_by_a_regulator_is_pushed(
    enterprise, make_person, subscribed_contact, phone, worker, client, regulator, services
):
    filed_enterprise(enterprise, make_person)
    contact = subscribed_contact("赵报送")
    filing = name_change_in_review(enterprise)
    worker.work()
    assert phone.sent() == []  # waiting for a person is told in the inbox only: the consent is kept
    waiting = contact.get("/miniapp/v1/notifications").json["items"]
    assert [(n["title"], n["push"]["state"]) for n in waiting] == [("“企业基本信息变更”待人工审核", "inbox_only")]

    queue = client.get("/api/v1/review/filings", headers=regulator).json
    assert queue["total"] == 1
    item = queue["items"][0]
    assert item["id"] == filing["id"] and item["enterprise"]["uscc"] == enterprise.uscc
    assert item["submitted_by"] == enterprise.name

    shown = client.get(item["url"], headers=regulator)
    assert shown.status_code == 200
    view = shown.json
    assert view["sections"][0]["values"]["enterprise_name"] == "安徽德拓建设集团有限公司"
    assert any(r["rule"] == "name_matches_certificate" and not r["passed"] for r in view["rule_results"])
    licence = view["sections"][0]["attachments"][0]
    assert licence["download_url"].startswith(f"/api/v1/review/filings/{filing['id']}/attachments/")
    downloaded = client.get(licence["download_url"], headers=regulator)
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"\x89PNG")
    letter = view["submission_attachments"][0]
    assert client.get(letter["download_url"], headers=regulator).data.startswith(b"%PDF")

    decided = client.post(
        f"/api/v1/review/filings/{filing['id']}/decision",
        json={"decision": "approve", "reason": "已核实工商变更登记，名称变更属实"},
        headers={**regulator, "If-Match": shown.headers["ETag"]},
    )
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "approved"
    assert decided.json["events"][-1]["actor"] == "王审核"
    assert "名称变更属实" in decided.json["events"][-1]["note"][0]
    assert decided.json["rule_results"][-1]["rule"] == "regulator_review"
    # The same effects as an automatic approval: record, history, public register.
    assert enterprise.get("/api/v1/enterprise").json["filed_record"]["basic_info"]["enterprise_name"] == (
        "安徽德拓建设集团有限公司"
    )
    assert client.get(f"/api/v1/public/enterprises/{enterprise.uscc}").json["name"] == "安徽德拓建设集团有限公司"
    assert client.get("/api/v1/review/filings", headers=regulator).json["total"] == 0

    worker.work()
    sent = phone.sent()
    assert len(sent) == 1 and sent[0]["touser"] == contact.openid
    assert sent[0]["data"]["phrase2"]["value"] == "审批通过"
    assert sent[0]["data"]["thing1"]["value"] == "企业基本信息变更"
    assert contact.get("/miniapp/v1/notifications").json["total"] == 2

    again = client.post(
        f"/api/v1/review/filings/{filing['id']}/decision",
        json={"decision": "reject", "reason": "重复审核：未提供工商核准通知书"},
        headers=regulator,
    )
    assert again.status_code == 409 and "待人工审核" in again.json["detail"]
    with services.uow() as uow:
        audit = uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "filing_approved", AuditEvent.actor_type == "regulator")
        )
    assert audit is not None and audit.enterprise_id == enterprise.id


def test_regulator_rejection_gives_the_reason_to_the_enterprise(
    enterprise, make_person, client, regulator, worker, phone, subscribed_contact
):
    filed_enterprise(enterprise, make_person)
    contact = subscribed_contact("赵报送")
    filing = name_change_in_review(enterprise)
    decided = client.post(
        f"/api/v1/review/filings/{filing['id']}/decision",
        json={"decision": "reject", "reason": "未提供名称变更的工商核准通知书"},
        headers=regulator,
    )
    assert decided.status_code == 200
    seen = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    assert seen["status"] == "rejected"
    assert seen["reasons"] == ["主管部门审核不通过：未提供名称变更的工商核准通知书"]
    assert enterprise.get("/api/v1/enterprise").json["filed_record"]["basic_info"]["enterprise_name"] == enterprise.name
    worker.work()
    [message] = phone.sent()
    assert message["touser"] == contact.openid and message["data"]["phrase2"]["value"] == "审批不通过"


def test_a_rejection_reason_of_two_letters_is_refused_and_the_filing_stays_in_review(
    enterprise, make_person, client, regulator
):
    filed_enterprise(enterprise, make_person)
    filing = name_change_in_review(enterprise)
    url = f"/api/v1/review/filings/{filing['id']}/decision"
    for too_short in ("ok", "不行", "NO!!"):
        refused = client.post(url, json={"decision": "reject", "reason": too_short}, headers=regulator)
        assert refused.status_code == 422, refused.json
        assert "需要补正或修改的内容" in refused.json["errors"]["reason"]
    assert client.post(url, json={"decision": "approve", "reason": "ok"}, headers=regulator).status_code == 422
    assert enterprise.get(f"/api/v1/filings/{filing['id']}").json["status"] == "manual_review"
    taken = client.post(url, json={"decision": "reject", "reason": "缺少营业执照"}, headers=regulator)
    assert taken.status_code == 200, taken.json


def test_enterprises_and_miniapp_users_cannot_reach_review(enterprise, make_person, verified_user, client):
    filed_enterprise(enterprise, make_person)
    filing = name_change_in_review(enterprise)
    user = verified_user("赵报送")
    urls = ["/api/v1/review/filings", f"/api/v1/review/filings/{filing['id']}"]
    for url in urls:
        assert enterprise.get(url).status_code == 403
        assert user.get(url).status_code == 403
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"Authorization": "Bearer forged"}).status_code == 401
    decision = {"decision": "approve", "reason": "自己批准自己"}
    refused = enterprise.post(f"/api/v1/review/filings/{filing['id']}/decision", json=decision)
    assert refused.status_code == 403 and refused.json["detail"] == "仅主管部门审核人员可以访问审核功能"
    assert user.post(f"/api/v1/review/filings/{filing['id']}/decision", json=decision).status_code == 403
    assert enterprise.get(f"/api/v1/filings/{filing['id']}").json["status"] == "manual_review"


def test_regulators_cannot_edit_or_act_as_an_enterprise(enterprise, make_person, client, regulator):
    filed_enterprise(enterprise, make_person)
    filing = name_change_in_review(enterprise)
    fid = filing["id"]
    # No review route changes content …
    assert client.put(f"/api/v1/review/filings/{fid}", json={}, headers=regulator).status_code == 405
    assert client.delete(f"/api/v1/review/filings/{fid}", headers=regulator).status_code == 405
    # … and the enterprise and mini-program APIs do not take a regulator's token.
    edit = {"contact_name": "改动"}
    put = client.put(
        f"/api/v1/filings/{fid}/sections/basic_info", json=edit, headers={**regulator, "If-Match": filing["etag"]}
    )
    assert put.status_code == 401
    assert client.post(f"/api/v1/filings/{fid}/withdraw", headers=regulator).status_code == 401
    assert client.get("/miniapp/v1/me", headers=regulator).status_code == 401
    assert enterprise.get(f"/api/v1/filings/{fid}").json["sections"][0]["values"]["contact_name"] == "王小明"


def test_review_refuses_bad_input_with_clear_4xx(enterprise, make_person, client, regulator, services):
    filed_enterprise(enterprise, make_person)
    filing = name_change_in_review(enterprise)
    url = f"/api/v1/review/filings/{filing['id']}/decision"
    bad = client.post(url, json={"decision": "maybe", "reason": "x"}, headers=regulator)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"decision", "reason"}
    assert client.post(url, json={"decision": "approve"}, headers=regulator).status_code == 422
    assert client.post(url, data="not json", headers=regulator).status_code in (400, 415, 422)
    stale = client.post(
        url, json={"decision": "approve", "reason": "核实无误"}, headers={**regulator, "If-Match": '"1-1"'}
    )
    assert stale.status_code == 412
    assert client.get("/api/v1/review/filings/999999", headers=regulator).status_code == 404
    assert client.get(f"/api/v1/review/filings/{filing['id']}/attachments/nope", headers=regulator).status_code == 404
    assert client.get("/api/v1/review/filings?page=0", headers=regulator).status_code == 422
    draft = enterprise.post("/api/v1/filings", json={"business": "technical_person_change"}).json
    assert (
        client.get(f"/api/v1/review/filings/{draft['id']}", headers=regulator).status_code == 404
    )  # drafts are private

    wrong = client.post("/api/v1/review/login", json={"username": "reviewer.wang", "password": "wrong-password1"})
    assert wrong.status_code == 401 and wrong.json["detail"] == "用户名或密码错误"
    unknown = client.post("/api/v1/review/login", json={"username": "nobody", "password": REGULATOR_PASSWORD})
    assert unknown.status_code == 401 and unknown.json["detail"] == "用户名或密码错误"
    assert client.post("/api/v1/review/login", json={}).status_code == 422

    # A deactivated account's tokens stop at once; a new password ends the old tokens too.
    regulators.set_active(services, "reviewer.wang", False)
    assert client.get("/api/v1/review/filings", headers=regulator).status_code == 401
    regulators.set_active(services, "reviewer.wang", True)
    regulators.set_password(services, "reviewer.wang", "另一个Password2026")
    assert client.get("/api/v1/review/filings", headers=regulator).status_code == 401


def test_regulator_accounts_refuse_weak_passwords_and_duplicates(services):
    with pytest.raises(ValidationFailed):
        regulators.create_regulator(services, "li", "李", REGULATOR_PASSWORD)
    with pytest.raises(ValidationFailed):
        regulators.create_regulator(services, "reviewer.li", "李", "short1")
    with pytest.raises(ValidationFailed):
        regulators.create_regulator(services, "reviewer.li", "李", "onlyletterslong")
    regulators.create_regulator(services, "reviewer.li", "李", REGULATOR_PASSWORD)
    with pytest.raises(Conflict):
        regulators.create_regulator(services, "reviewer.li", "李二", REGULATOR_PASSWORD)
    with services.uow() as uow:
        stored = uow.session.scalar(select(Regulator.password_hash).where(Regulator.username == "reviewer.li"))
    assert stored.startswith("scrypt:") and REGULATOR_PASSWORD not in stored
