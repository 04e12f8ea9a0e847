"""Subscribe-message consent quotas, sending through WeChat, the phone number, the two OpenAPI docs."""

from __future__ import annotations

from handlers import subscriptions

TEMPLATE = "approval-result-tpl_01"


def test_consents_add_one_time_quotas(miniapp_login):
    user = miniapp_login()
    reported = user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept", "other_tpl": "reject"}})
    assert reported.status_code == 200, reported.json
    assert reported.json["quotas"] == {TEMPLATE: 1, "other_tpl": 0}
    user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept"}})
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {TEMPLATE: 2, "other_tpl": 0}


def test_bad_consent_reports_are_refused_and_change_nothing(miniapp_login):
    user = miniapp_login()
    for results in ({TEMPLATE: "yes"}, {"bad template!": "accept"}, {f"t{i}": "accept" for i in range(21)}):
        refused = user.post("/miniapp/v1/subscriptions", json={"results": results})
        assert refused.status_code == 422, results
    assert user.post("/miniapp/v1/subscriptions", json={"results": "accept"}).status_code == 422
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {}


def test_sending_spends_a_quota_and_reaches_wechat(miniapp_login, phone, services):
    user = miniapp_login()
    phone.subscribe(user.openid, TEMPLATE)
    user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept"}})
    data = {"thing1": {"value": "首次信息报送"}, "phrase2": {"value": "审批通过"}}
    assert subscriptions.send_subscribe_message(services, user.user_id, TEMPLATE, data, "pages/filings/detail")
    (sent,) = phone.sent()
    assert isinstance(sent.pop("received_at"), float)  # when the stand-in took it (the push benchmark's clock)
    assert [sent] == [
        {
            "touser": user.openid,
            "template_id": TEMPLATE,
            "page": "pages/filings/detail",
            "data": data,
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }
    ]
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {TEMPLATE: 0}
    # No quota left: nothing is sent.
    assert subscriptions.send_subscribe_message(services, user.user_id, TEMPLATE, data) is False
    assert len(phone.sent()) == 1


def test_wechat_43101_resets_the_quota_instead_of_retrying(miniapp_login, phone, services):
    user = miniapp_login()
    user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept"}})
    user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept"}})
    # WeChat holds no consent for this user (e.g. revoked in WeChat settings): 43101.
    assert subscriptions.send_subscribe_message(services, user.user_id, TEMPLATE, {"thing1": {"value": "x"}}) is False
    assert phone.sent() == []
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {TEMPLATE: 0}


def test_phone_number_is_bound_once_per_code(miniapp_login, phone):
    user = miniapp_login()
    code = phone.phone_code("13912345678")
    bound = user.post("/miniapp/v1/me/phone", json={"code": code})
    assert bound.status_code == 200 and bound.json["phone"] == "139****5678"
    assert user.get("/miniapp/v1/me").json["user"]["phone"] == "139****5678"
    reused = user.post("/miniapp/v1/me/phone", json={"code": code})
    assert reused.status_code == 422 and "一次" in reused.json["hint"]


def test_each_api_has_its_own_openapi_document(client):
    miniapp = client.get("/miniapp/openapi.json").json
    enterprise = client.get("/openapi.json").json
    assert "小程序" in miniapp["info"]["title"]
    assert "/miniapp/v1/login" in miniapp["paths"]
    assert "/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/submit" in miniapp["paths"]
    # Only the form declarations, which a mini-program builds its forms from, are shared.
    assert {p for p in miniapp["paths"] if p.startswith("/api/")} == {"/api/v1/businesses", "/api/v1/businesses/{key}"}
    assert "/api/v1/invitations" in enterprise["paths"]
    assert not any(p.startswith("/miniapp/") for p in enterprise["paths"])
    assert client.get("/miniapp/docs").status_code == 200


def test_unknown_miniapp_path_is_problem_json(client):
    response = client.get("/miniapp/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
