"""Invitations people can scan and understand before they accept, roles never lost unannounced,
and subscribe consent reported as wx.requestSubscribeMessage gives it."""

from __future__ import annotations

import io

from PIL import Image
from pyzbar.pyzbar import decode

from tests.miniapp.test_employment import accept, invite


def test_an_invitation_has_a_scannable_wxacode_whose_scene_is_the_code(enterprise, phone, services):
    invitation = invite(enterprise)
    response = enterprise.get(f"/api/v1/invitations/{invitation['id']}/wxacode")
    assert response.status_code == 200 and response.mimetype == "image/png"
    [symbol] = decode(Image.open(io.BytesIO(response.data)).convert("L"))
    page = services.settings.miniapp_invitation_page
    assert symbol.data.decode() == f"{page}?scene={invitation['code']}"
    assert phone.wxacodes() == [{"scene": invitation["code"], "page": page, "env_version": "release"}]


def test_no_wxacode_for_a_used_or_foreign_invitation(enterprise, login_enterprise, verified_user):
    invitation = invite(enterprise)
    assert accept(verified_user(), invitation["code"]).status_code == 201
    assert enterprise.get(f"/api/v1/invitations/{invitation['id']}/wxacode").status_code == 409
    other_enterprise = login_enterprise("新疆另一建设有限公司")
    assert other_enterprise.get(f"/api/v1/invitations/{invite(enterprise)['id']}/wxacode").status_code == 404


def test_wxacode_for_an_unreleased_page_is_a_clear_502(enterprise, phone, services, make_app):
    app = make_app(miniapp_invitation_page="pages/not-released")
    invitation = invite(enterprise)
    response = app.test_client().get(
        f"/api/v1/invitations/{invitation['id']}/wxacode", headers={"Authorization": f"Bearer {enterprise.token}"}
    )
    assert response.status_code == 502 and "邀请码" in response.json["detail"] and "41030" in response.json["hint"]


def test_the_preview_names_enterprise_and_role_and_changes_nothing(enterprise, verified_user, miniapp_login):
    invitation = invite(enterprise, "filing_contact")
    user = verified_user()
    preview = user.get("/miniapp/v1/invitations/preview", query_string={"code": invitation["code"]})
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert body["enterprise"]["uscc"] == enterprise.uscc and body["role"] == "filing_contact"
    assert enterprise.name in body["effect"] and "办理报送" in body["effect"]
    assert body["can_accept"] is True and body["needs_confirmation"] is False and body["current_role"] is None
    assert enterprise.get("/api/v1/invitations").json["items"][0]["status"] == "pending"
    # Someone not yet verified sees it too, and why they cannot accept yet.
    stranger = miniapp_login().get("/miniapp/v1/invitations/preview", query_string={"code": invitation["code"]})
    assert stranger.json["can_accept"] is False and "实名认证" in stranger.json["blocked_by"]


def test_the_preview_of_an_unknown_or_used_code_is_refused(enterprise, verified_user):
    user = verified_user()
    assert user.get("/miniapp/v1/invitations/preview", query_string={"code": "NOSUCH22"}).status_code == 404
    invitation = invite(enterprise)
    assert accept(user, invitation["code"]).status_code == 201
    assert user.get("/miniapp/v1/invitations/preview", query_string={"code": invitation["code"]}).status_code == 409


def test_a_filing_contact_is_not_made_an_employee_without_confirming(enterprise, verified_user):
    user = verified_user()
    assert accept(user, invite(enterprise, "filing_contact")["code"]).status_code == 201
    downgrade = invite(enterprise)
    preview = user.get("/miniapp/v1/invitations/preview", query_string={"code": downgrade["code"]}).json
    assert preview["needs_confirmation"] is True and preview["current_role"] == "filing_contact"
    assert "不再" in preview["effect"]

    refused = accept(user, downgrade["code"])
    assert refused.status_code == 409 and refused.json["needs_confirmation"] is True
    assert "报送联系人" in refused.json["detail"] and "confirm_role_change" in refused.json["hint"]
    assert user.get("/miniapp/v1/me").json["may_file_for"][0]["id"] == enterprise.id  # nothing changed
    assert enterprise.get("/api/v1/invitations").json["items"][0]["status"] == "pending"

    confirmed = user.post(
        "/miniapp/v1/invitations/accept", json={"code": downgrade["code"], "confirm_role_change": True}
    )
    assert confirmed.status_code == 201, confirmed.json
    assert confirmed.json["role"] == "employee" and confirmed.json["replaced"]["role"] == "filing_contact"
    assert user.get("/miniapp/v1/me").json["may_file_for"] == []


def test_becoming_a_filing_contact_keeps_every_ability_and_says_what_it_replaced(enterprise, verified_user):
    user = verified_user()
    assert accept(user, invite(enterprise)["code"]).status_code == 201
    upgraded = accept(user, invite(enterprise, "filing_contact")["code"])
    assert upgraded.status_code == 201 and upgraded.json["replaced"]["role"] == "employee"
    assert [p["name"] for p in enterprise.get("/api/v1/persons").json["items"]] == ["张建国"]


def test_subscriptions_take_the_raw_wx_request_subscribe_message_result(miniapp_login):
    user = miniapp_login()
    raw = {"errMsg": "requestSubscribeMessage:ok", "tpl_result_01": "accept", "tpl_reminder_02": "reject"}
    reported = user.post("/miniapp/v1/subscriptions", json=raw)
    assert reported.status_code == 200, reported.json
    assert reported.json["quotas"] == {"tpl_reminder_02": 0, "tpl_result_01": 1}


def test_a_failed_wx_request_subscribe_message_result_is_refused(miniapp_login):
    user = miniapp_login()
    failed = user.post("/miniapp/v1/subscriptions", json={"errMsg": "requestSubscribeMessage:fail cancel"})
    assert failed.status_code == 422 and "hint" in failed.json
    assert user.post("/miniapp/v1/subscriptions", json={"errMsg": "requestSubscribeMessage:ok"}).status_code == 422
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {}
