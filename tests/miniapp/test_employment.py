"""Employment binding: invitations from the enterprise, acceptance in the mini-program, ending."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from entryfiling.db.models import Employment, EmploymentInvitation
from tests.api.flows import open_first_filing, save


def invite(enterprise, role="employee", **extra):
    response = enterprise.post("/api/v1/invitations", json={"role": role, **extra})
    assert response.status_code == 201, response.json
    return response.json


def accept(user, code):
    return user.post("/miniapp/v1/invitations/accept", json={"code": code})


def responsible(person_id):
    return {"person": person_id, "position": "进疆负责人", "mobile": "13912345678"}


def test_new_wechat_user_becomes_selectable_as_responsible_person(enterprise, miniapp_login, verify, services):
    user = miniapp_login()
    assert verify(user, "李四").status_code == 200
    invitation = invite(enterprise, note="李四")
    assert invitation["status"] == "pending" and len(invitation["code"]) == 8
    assert invitation["qr_payload"].endswith(invitation["code"])

    accepted = accept(user, invitation["qr_payload"])  # scanning the QR works like typing the code
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["enterprise"]["id"] == enterprise.id and accepted.json["current"] is True

    persons = enterprise.get("/api/v1/persons?q=李").json
    assert [p["name"] for p in persons["items"]] == ["李四"]
    person_id = persons["items"][0]["id"]
    filing = open_first_filing(enterprise)
    saved = save(enterprise, filing, "responsible_person", responsible(person_id))
    section = next(s for s in saved["sections"] if s["key"] == "responsible_person")
    assert section["values"]["person"]["name"] == "李四"

    me = user.get("/miniapp/v1/me").json
    assert [e["enterprise"]["name"] for e in me["employments"]] == [enterprise.name]
    assert me["may_file_for"] == []  # an employee, not a filing contact
    listed = enterprise.get("/api/v1/invitations").json["items"]
    assert listed[0]["status"] == "accepted" and listed[0]["employment_id"] == accepted.json["id"]


def test_unverified_person_cannot_accept(enterprise, miniapp_login, services):
    user = miniapp_login()
    invitation = invite(enterprise)
    refused = accept(user, invitation["code"])
    assert refused.status_code == 403 and "实名认证" in refused.json["detail"]
    assert enterprise.get("/api/v1/invitations").json["items"][0]["status"] == "pending"


def test_invitation_is_single_use(enterprise, verified_user):
    first, second = verified_user("甲一"), verified_user("乙二")
    invitation = invite(enterprise)
    assert accept(first, invitation["code"]).status_code == 201
    replay = accept(first, invitation["code"])
    assert replay.status_code == 409 and "已被使用" in replay.json["detail"]
    taken = accept(second, invitation["code"].lower())
    assert taken.status_code == 409
    assert second.get("/miniapp/v1/me").json["employments"] == []


def test_expired_revoked_and_unknown_invitations_are_refused(enterprise, verified_user, services):
    user = verified_user()
    expired = invite(enterprise, ttl_hours=1)
    later = services.now() + timedelta(hours=2)
    services.clock = lambda: later
    refused = accept(user, expired["code"])
    assert refused.status_code == 409 and "过期" in refused.json["detail"]

    revoked = invite(enterprise)
    assert enterprise.delete(f"/api/v1/invitations/{revoked['id']}").json["status"] == "revoked"
    assert accept(user, revoked["code"]).status_code == 409
    assert enterprise.delete(f"/api/v1/invitations/{revoked['id']}").status_code == 409

    unknown = accept(user, "ZZZZZZZZ")
    assert unknown.status_code == 404 and unknown.json["errors"]["code"]
    assert user.get("/miniapp/v1/me").json["employments"] == []
    with services.uow() as uow:
        assert uow.session.scalars(select(Employment)).all() == []


def test_invitations_of_another_enterprise_cannot_be_revoked(enterprise, login_enterprise):
    other = login_enterprise("新疆另一家建设有限公司")
    invitation = invite(enterprise)
    assert other.delete(f"/api/v1/invitations/{invitation['id']}").status_code == 404


def test_bad_invitation_requests_are_clear(enterprise, client):
    unknown_role = enterprise.post("/api/v1/invitations", json={"role": "boss"})
    assert unknown_role.status_code == 422 and "role" in unknown_role.json["errors"]
    assert enterprise.post("/api/v1/invitations", json={"role": "employee", "ttl_hours": 0}).status_code == 422
    assert client.post("/api/v1/invitations", json={"role": "employee"}).status_code == 401


def test_accepting_again_for_the_same_role_is_refused_and_keeps_the_invitation(enterprise, verified_user):
    user = verified_user()
    assert accept(user, invite(enterprise)["code"]).status_code == 201
    second = invite(enterprise)
    refused = accept(user, second["code"])
    assert refused.status_code == 409 and "已与本企业建立聘用关系" in refused.json["detail"]
    assert enterprise.get("/api/v1/invitations").json["items"][0]["status"] == "pending"


def test_role_change_ends_the_old_employment_and_keeps_history(enterprise, verified_user):
    user = verified_user()
    assert accept(user, invite(enterprise)["code"]).status_code == 201
    assert accept(user, invite(enterprise, "filing_contact")["code"]).status_code == 201
    history = enterprise.get("/api/v1/employments").json["items"]
    assert [(e["role"], e["current"]) for e in history] == [("filing_contact", True), ("employee", False)]
    assert user.get("/miniapp/v1/me").json["may_file_for"][0]["id"] == enterprise.id


def test_either_side_can_end_and_the_person_is_no_longer_selectable(enterprise, verified_user, miniapp_login):
    by_enterprise, by_person = verified_user("甲一"), verified_user("乙二")
    e1 = accept(by_enterprise, invite(enterprise)["code"]).json
    e2 = accept(by_person, invite(enterprise)["code"]).json
    ids = {p["name"]: p["id"] for p in enterprise.get("/api/v1/persons").json["items"]}
    filing = open_first_filing(enterprise)
    save(enterprise, filing, "responsible_person", responsible(ids["甲一"]))

    ended = enterprise.post(f"/api/v1/employments/{e1['id']}/end")
    assert ended.status_code == 200 and ended.json["current"] is False
    assert ended.json["ended_by"] == enterprise.name
    own = by_person.post(f"/miniapp/v1/employments/{e2['id']}/end")
    assert own.status_code == 200 and own.json["ended_by"] == "乙二"

    assert enterprise.get("/api/v1/persons").json["total"] == 0
    for name in ("甲一", "乙二"):
        refused = save(enterprise, filing, "responsible_person", responsible(ids[name]), expect=422)
        assert "未与本企业建立聘用关系" in refused["errors"]["person"]
    history = enterprise.get("/api/v1/employments?current=false").json
    assert history["total"] == 2 and all(i["ended_at"] for i in history["items"])
    assert enterprise.post(f"/api/v1/employments/{e1['id']}/end").status_code == 404  # ending twice
    # Ended by the enterprise, 甲一's phone session ended with it; logged in again, still not theirs.
    assert by_enterprise.get("/miniapp/v1/me").status_code == 401
    by_enterprise = miniapp_login(by_enterprise.openid)
    assert by_enterprise.post(f"/miniapp/v1/employments/{e2['id']}/end").status_code == 404  # not theirs


def test_person_of_enterprise_a_cannot_be_chosen_in_a_filing_of_b(enterprise, login_enterprise, verified_user):
    other = login_enterprise("新疆另一家建设有限公司")
    user = verified_user()
    accept(user, invite(other)["code"])
    person_id = other.get("/api/v1/persons").json["items"][0]["id"]
    filing = open_first_filing(enterprise)
    refused = save(enterprise, filing, "responsible_person", responsible(person_id), expect=422)
    assert "未与本企业建立聘用关系" in refused["errors"]["person"]
    assert enterprise.get("/api/v1/persons").json["total"] == 0


def test_invitation_codes_are_stored_once(enterprise, services):
    codes = {invite(enterprise)["code"] for _ in range(20)}
    assert len(codes) == 20
    with services.uow() as uow:
        assert len(uow.session.scalars(select(EmploymentInvitation)).all()) == 20
