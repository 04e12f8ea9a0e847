"""Approval results reach the submitter's phone as one WeChat subscribe message, through the
outbox, a real Redis and RQ worker, and the WeChat stand-in; the inbox keeps every notice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from entryfiling.db.models import Notification, SubscriptionQuota
from handlers.push import sweep
from tests.api.flows import (
    basic_info,
    complete_first_filing,
    qualifications,
    registry_knows_certificate,
    registry_knows_qualifications,
    sign_and_submit,
    technical_person,
    xinjiang_office,
)
from tests.factories import pdf_bytes
from tests.miniapp.test_filing_contact import PhoneFiling, make_contact
from tests.notifications.conftest import RESULT_TEMPLATE, SEND_PATH

TIME_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


def file_from_phone(enterprise, contact, technical_name: str = "钱技术") -> dict:
    """The contact files and submits a whole first filing from the phone; it is approved."""
    persons = {p["name"]: p["id"] for p in enterprise.get("/api/v1/persons").json["items"]}
    flow = PhoneFiling(contact, enterprise.id)
    fid = flow.open()["id"]
    flow.save(fid, "basic_info", basic_info(enterprise))
    flow.upload(fid, "business_license")
    flow.upload(fid, "legal_representative_id_card")
    flow.save(fid, "qualifications", qualifications())
    flow.upload(fid, "qualification_certificates", pdf_bytes(), "资质证书.pdf")
    flow.upload(fid, "safety_license_scan", pdf_bytes(), "安全生产许可证.pdf")
    responsible = {
        "person": persons[contact_name(enterprise, contact)],
        "position": "进疆负责人",
        "mobile": "13912345678",
    }
    flow.save(fid, "responsible_person", responsible)
    flow.upload(fid, "responsible_person_appointment", pdf_bytes(), "任命书.pdf")
    flow.upload(fid, "responsible_person_id_card")
    flow.upload(fid, "responsible_person_employment_proof", pdf_bytes(), "劳动合同.pdf")
    flow.save(fid, "technical_person", technical_person(persons[technical_name]))
    registry_knows_qualifications(enterprise, qualifications()["qualifications"])
    registry_knows_certificate(enterprise, persons[technical_name], "一级注册建造师", "皖1342010201812345", "建筑工程")
    flow.upload(fid, "technical_title_certificate")
    flow.upload(fid, "technical_person_appointment")
    flow.upload(fid, "premises_proof", pdf_bytes(), "租赁合同.pdf")
    flow.save(fid, "xinjiang_office", xinjiang_office(enterprise))
    signed = contact.get(f"{flow.base}/{fid}/commitment-letter").data
    letter = flow.upload(fid, "commitment_letter", signed, "承诺书-签章.pdf")["attachment"]
    submitted = contact.post(f"{flow.base}/{fid}/submit", json={"agreed": True, "signed_letter": letter["id"]})
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def contact_name(enterprise, contact) -> str:
    return contact.get("/miniapp/v1/me").json["identity"]["name"]


def outbox(services) -> list[Notification]:
    with services.uow() as uow:
        return list(uow.session.scalars(select(Notification).order_by(Notification.id)).all())


def test_approval_sends_one_subscribe_message_and_one_inbox_entry(
    enterprise, verified_user, subscribed_contact, phone, worker, services
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    filing = file_from_phone(enterprise, contact)
    assert filing["status"] == "approved", filing["reasons"]
    assert phone.sent() == []  # the push is a job: nothing reaches WeChat inside the request

    worker.work()

    sent = phone.sent()
    assert len(sent) == 1
    message = sent[0]
    assert message["touser"] == contact.openid and message["template_id"] == RESULT_TEMPLATE
    assert message["page"] == f"pages/filings/detail?enterprise_id={enterprise.id}&filing_id={filing['id']}"
    data = {k: v["value"] for k, v in message["data"].items()}
    assert data["thing1"] == "首次信息报送"
    assert data["phrase2"] == "审批通过"
    assert data["thing3"] == "备案信息已生效"
    assert TIME_RE.fullmatch(data["time4"]), data["time4"]
    assert data["character_string5"] == filing["reference"]

    inbox = contact.get("/miniapp/v1/notifications").json
    assert inbox["total"] == 1 and inbox["unread"] == 1
    entry = inbox["items"][0]
    assert entry["filing_id"] == filing["id"] and entry["kind"] == "filing_result"
    assert entry["title"] == "“首次信息报送”审批通过"
    assert entry["push"]["state"] == "sent" and entry["read"] is False
    assert entry["filing_url"] == f"/miniapp/v1/enterprises/{enterprise.id}/filings/{filing['id']}"

    # The same job run again (a duplicate delivery, a second worker) sends nothing more.
    services.dispatcher.dispatch("push_notification", f"notification-{entry['id']}")
    worker.work()
    assert len(phone.sent()) == 1
    assert [n.attempts for n in outbox(services)] == [1]

    read = contact.post(f"/miniapp/v1/notifications/{entry['id']}/read")
    assert read.status_code == 200 and read.json["read"] is True
    assert contact.get("/miniapp/v1/notifications").json["unread"] == 0
    assert contact.get("/miniapp/v1/notifications?unread=true").json["total"] == 0


def test_no_consent_at_wechat_43101_keeps_the_inbox_entry_and_is_not_retried(
    enterprise, verified_user, subscribed_contact, phone, worker, services
):
    # Consent was reported to us, but WeChat no longer has it (cancelled in WeChat's settings).
    contact = subscribed_contact("赵报送", tell_wechat=False)
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    filing = file_from_phone(enterprise, contact)

    worker.work()
    assert phone.sent() == []
    assert len(phone.calls(SEND_PATH)) == 1
    assert worker.scheduled() == 0 and worker.retry_now() == 0
    worker.work()
    assert len(phone.calls(SEND_PATH)) == 1  # nothing retried

    entry = contact.get("/miniapp/v1/notifications").json["items"][0]
    assert entry["filing_id"] == filing["id"]
    assert entry["push"]["state"] == "not_pushed" and entry["push"]["errcode"] == 43101
    with services.uow() as uow:
        quota = uow.session.scalar(
            select(SubscriptionQuota.remaining).where(SubscriptionQuota.template_id == RESULT_TEMPLATE)
        )
    assert quota == 0  # WeChat is the authority on consent


def test_wechat_busy_twice_then_one_message(enterprise, verified_user, subscribed_contact, phone, worker, services):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    phone.fault(SEND_PATH, -1, -1)  # 系统繁忙, twice
    file_from_phone(enterprise, contact)

    worker.work()
    [row] = outbox(services)
    assert (row.state, row.attempts, row.last_errcode) == ("retrying", 1, -1)
    assert row.next_attempt_at is not None
    assert worker.retry_now() == 1
    worker.work()
    assert worker.retry_now() == 1
    worker.work()

    assert len(phone.sent()) == 1
    assert len(phone.calls(SEND_PATH)) == 3
    [row] = outbox(services)
    assert (row.state, row.attempts) == ("sent", 3)
    assert worker.retry_now() == 0 and worker.failed() == 0


def test_expired_access_token_is_refreshed_and_the_message_sent_once(
    enterprise, verified_user, subscribed_contact, phone, worker
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, contact)
    fetches = phone.token_fetches()
    phone.expire_tokens()

    worker.work()

    assert len(phone.sent()) == 1
    assert phone.token_fetches() == fetches + 1
    assert worker.retry_now() == 0


def test_bad_openid_is_final(enterprise, verified_user, subscribed_contact, phone, worker, services):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    phone.fault(SEND_PATH, 40003)
    file_from_phone(enterprise, contact)
    worker.work()
    assert worker.retry_now() == 0
    [row] = outbox(services)
    assert (row.state, row.last_errcode, row.attempts) == ("not_pushed", 40003, 1)
    assert contact.get("/miniapp/v1/notifications").json["total"] == 1


def test_retries_are_bounded_and_a_lasting_failure_looks_like_one(
    enterprise, verified_user, subscribed_contact, phone, worker, services
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    phone.fault(SEND_PATH, *([-1] * 10))
    file_from_phone(enterprise, contact)
    for _ in range(10):
        worker.work()
        if not worker.retry_now():
            break
    assert len(phone.calls(SEND_PATH)) == 5  # one attempt and four retries
    [row] = outbox(services)
    assert row.state == "failed" and row.last_errcode == -1
    assert worker.failed() == 1  # the RQ job shows failed, not finished
    entry = contact.get("/miniapp/v1/notifications").json["items"][0]
    assert entry["push"]["state"] == "failed"
    with services.uow() as uow:
        quota = uow.session.scalar(
            select(SubscriptionQuota.remaining).where(SubscriptionQuota.template_id == RESULT_TEMPLATE)
        )
    assert quota == 1  # the consent was not spent


def test_certificate_submitter_has_no_openid_so_filing_contacts_are_told(
    enterprise, make_person, verified_user, subscribed_contact, phone, worker
):
    """A filing submitted with the CA certificate: each current filing contact gets the result."""
    first = subscribed_contact("赵报送")
    second = subscribed_contact("孙联系")
    make_contact(enterprise, verified_user, "李员工", role="employee")  # employees are not told
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical, valid_until=date.today() - timedelta(days=1))
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"

    worker.work()

    sent = phone.sent()
    assert sorted(m["touser"] for m in sent) == sorted([first.openid, second.openid])
    data = {k: v["value"] for k, v in sent[0]["data"].items()}
    assert data["phrase2"] == "审批不通过"
    # The reasons are long; WeChat's thing is at most 20 characters (the stand-in enforces it).
    assert len(data["thing3"]) == 20 and data["thing3"].endswith("…")
    assert data["thing3"][:-1] in "；".join(decided["reasons"])
    for contact in (first, second):
        body = contact.get("/miniapp/v1/notifications").json["items"][0]["body"]
        assert decided["reasons"][0] in body  # the inbox has the reasons in full


def test_inbox_refuses_bad_input_and_keeps_to_its_owner(
    enterprise, verified_user, subscribed_contact, miniapp_login, worker, client
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, contact)
    worker.work()
    entry = contact.get("/miniapp/v1/notifications").json["items"][0]
    stranger = miniapp_login()

    assert stranger.get("/miniapp/v1/notifications").json["total"] == 0
    assert stranger.post(f"/miniapp/v1/notifications/{entry['id']}/read").status_code == 404
    assert contact.post("/miniapp/v1/notifications/999999/read").status_code == 404
    assert client.get("/miniapp/v1/notifications").status_code == 401
    assert enterprise.get("/miniapp/v1/notifications").status_code == 401
    for query in ("page=0", "page_size=1000", "unread=maybe"):
        response = contact.get(f"/miniapp/v1/notifications?{query}")
        assert response.status_code == 422, query
    assert contact.post("/miniapp/v1/notifications/read", json={"ids": "all"}).status_code == 422
    assert contact.post("/miniapp/v1/notifications/read", json={"ids": list(range(101))}).status_code == 422
    assert stranger.post("/miniapp/v1/notifications/read", json={}).json == {"marked": 0}
    assert contact.post("/miniapp/v1/notifications/read", json={"ids": [entry["id"]]}).json == {"marked": 1}
    assert contact.get("/miniapp/v1/notifications/templates").json == {
        "filing_result": RESULT_TEMPLATE,
        "expiry_reminder": "dev-expiry-reminder",
    }


def test_sweep_requeues_lost_pushes_and_never_resends_an_interrupted_one(
    enterprise, verified_user, subscribed_contact, phone, worker, services, redis_conn
):
    first = subscribed_contact("赵报送", times=2)
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, first)
    redis_conn.delete("rq:queue:notifications")  # the queue lost the job (e.g. Redis restarted)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    with services.uow() as uow:
        uow.session.execute(update(Notification).values(updated_at=long_ago))
        uow.commit()
    worker.work()
    assert phone.sent() == []  # nothing queued any more

    assert sweep(services) == {"abandoned": 0, "requeued": 1}
    worker.work()
    assert len(phone.sent()) == 1

    # A send interrupted after the claim: its outcome is unknown, so it is given up, not resent.
    with services.uow() as uow:
        uow.session.execute(update(Notification).values(state="sending", updated_at=long_ago))
        uow.commit()
    assert sweep(services) == {"abandoned": 1, "requeued": 0}
    worker.work()
    assert len(phone.sent()) == 1
    assert outbox(services)[0].state == "failed"


def test_a_decision_notice_recorded_again_is_not_added_twice(
    enterprise, verified_user, subscribed_contact, phone, worker, services
):
    from dataclasses import replace

    from handlers.notifications import Notice, add_notices

    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, contact)
    [row] = outbox(services)
    again = Notice(
        key=row.key,
        kind=row.kind,
        wechat_user_id=row.wechat_user_id,
        title=row.title,
        body="另一份",
        template_id=row.template_id,
        payload=row.payload,
        page=row.page,
        enterprise_id=row.enterprise_id,
        filing_id=row.filing_id,
    )
    with services.uow() as uow:
        new = add_notices(uow.session, [again, replace(again, key=f"{row.key}:x")], row.created_at)
        uow.commit()
    rows = outbox(services)
    assert [r.key for r in rows] == [row.key, f"{row.key}:x"] and new == [rows[1].id]
    assert rows[0].body == row.body and rows[1].body == "另一份" and rows[1].state == "pending"
