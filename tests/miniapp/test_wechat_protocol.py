"""WeChat as WeChat speaks it: the calls our client makes, read back from the stand-in, and what
a person is told for each WeChat answer they can meet."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from entryfiling.db.models import WeChatUser
from entryfiling.integrations.wechat import WeChat, WeChatError
from handlers import subscriptions

TEMPLATE = "approval-result-tpl_01"
GOOD_DATA = {
    "thing1": {"value": "首次信息报送"},
    "phrase2": {"value": "审批通过"},
    "time4": {"value": "2026年3月1日 15:01"},
}


def _users(services) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(WeChatUser)) or 0


def _consented(miniapp_login, phone):
    user = miniapp_login()
    phone.subscribe(user.openid, TEMPLATE)
    user.post("/miniapp/v1/subscriptions", json={"results": {TEMPLATE: "accept"}})
    return user


# ---------------------------------------------------------------------------- code2session


def test_login_sends_only_appid_secret_js_code_and_grant_type(client, phone):
    assert client.post("/miniapp/v1/login", json={"code": phone.wx_login()}).status_code == 200
    [call] = phone.calls("/sns/jscode2session")
    assert call["param_names"] == ["appid", "grant_type", "js_code", "secret"]
    assert phone.calls("/cgi-bin/stable_token") == [] and phone.calls("/cgi-bin/token") == []


def test_login_works_while_the_token_endpoint_is_failing(client, phone):
    phone.fault("/cgi-bin/stable_token", -1, -1)
    assert client.post("/miniapp/v1/login", json={"code": phone.wx_login()}).status_code == 200


@pytest.mark.parametrize(
    ("play", "status", "in_detail", "in_hint"),
    [
        ("unknown_code", 401, "重新打开小程序", "40029"),
        ("used_code", 401, "重新打开小程序", "40163"),
        ("high_risk", 403, "安全风险", "40226"),
        ("system_busy", 503, "稍后再试", "-1"),
    ],
)
def test_each_code2session_refusal_gets_its_own_answer(client, phone, services, play, status, in_detail, in_hint):
    code = phone.wx_login_as(high_risk=play == "high_risk")[0]
    if play == "unknown_code":
        code = "not-a-code-wechat-gave"
    elif play == "used_code":
        assert client.post("/miniapp/v1/login", json={"code": code}).status_code == 200
    elif play == "system_busy":
        phone.fault("/sns/jscode2session", -1)
    users_before = _users(services)
    response = client.post("/miniapp/v1/login", json={"code": code})
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert in_detail in response.json["detail"] and in_hint in response.json["hint"]
    assert "errcode" not in response.json["detail"] and "wx." not in response.json["detail"]
    if status == 503:
        assert response.headers["Retry-After"] == "5"
    assert _users(services) == users_before


# ---------------------------------------------------------------------------- access token


def test_the_access_token_is_the_stable_one_and_leaves_other_holders_theirs(miniapp_login, phone, services):
    appid, secret = services.settings.wechat_appid, services.settings.wechat_secret
    body = {"grant_type": "client_credential", "appid": appid, "secret": secret}
    other_holder = requests.post(f"{phone.base_url}/cgi-bin/stable_token", json=body, timeout=5).json()["access_token"]
    user = _consented(miniapp_login, phone)
    assert subscriptions.send_subscribe_message(services, user.user_id, TEMPLATE, GOOD_DATA, "pages/filings/detail")
    assert phone.calls("/cgi-bin/token") == []
    assert len(phone.calls("/cgi-bin/stable_token")) == 2  # the other holder's and ours
    # The other holder's token still works: ours is the same one, not a replacement.
    still = requests.post(
        f"{phone.base_url}/wxa/business/getuserphonenumber",
        params={"access_token": other_holder},
        json={"code": phone.phone_code("13900000000")},
        timeout=5,
    ).json()
    assert still["errcode"] == 0


def test_stable_token_force_refresh_ends_the_old_token_and_is_limited(phone, services):
    appid, secret = services.settings.wechat_appid, services.settings.wechat_secret
    url = f"{phone.base_url}/cgi-bin/stable_token"
    normal = {"grant_type": "client_credential", "appid": appid, "secret": secret}
    first = requests.post(url, json=normal, timeout=5).json()["access_token"]
    assert requests.post(url, json=normal, timeout=5).json()["access_token"] == first
    forced = [requests.post(url, json=normal | {"force_refresh": True}, timeout=5).json() for _ in range(21)]
    assert forced[0]["access_token"] != first and forced[-1]["errcode"] == 45009
    assert requests.post(url, json=normal | {"secret": "wrong"}, timeout=5).json()["errcode"] == 40125


# ---------------------------------------------------------------------------- subscribe messages


def test_subscribe_send_names_the_build_and_language(miniapp_login, phone, services):
    user = _consented(miniapp_login, phone)
    trial = services.settings.with_overrides(wechat_miniprogram_state="trial", wechat_message_lang="zh_TW")
    wechat = WeChat.from_settings(trial, services.session_factory, services.now)
    # A page only the trial build has is fine for the trial build.
    assert wechat.send_subscribe_message(user.openid, TEMPLATE, GOOD_DATA, "pages/not-yet-released") > 0
    [sent] = phone.sent()
    assert sent["miniprogram_state"] == "trial" and sent["lang"] == "zh_TW"


def test_a_page_missing_from_the_released_build_is_41030(miniapp_login, phone, services):
    user = _consented(miniapp_login, phone)
    with pytest.raises(WeChatError) as refused:
        services.wechat().send_subscribe_message(user.openid, TEMPLATE, GOOD_DATA, "pages/not-yet-released")
    assert refused.value.errcode == 41030
    assert phone.sent() == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("thing1", "一" * 21),
        ("phrase2", "审批未能通过了"),
        ("phrase2", "OK"),
        ("character_string5", "A" * 33),
        ("character_string5", "编号12"),
        ("time4", "下午三点"),
        ("date2", "2026-13"),
        ("amount3", "100元"),
        ("phone_number3", "138-0013-8000-12345"),
        ("car_number3", "粤A8Z888挂X"),
    ],
)
def test_values_wechat_refuses_are_47003_and_the_consent_is_kept(miniapp_login, phone, services, key, value):
    user = _consented(miniapp_login, phone)
    with pytest.raises(WeChatError) as refused:
        subscriptions.deliver_subscribe_message(services, user.user_id, TEMPLATE, {key: {"value": value}})
    assert refused.value.errcode == 47003
    assert phone.sent() == []
    # WeChat did not use the consent: it is still ours to spend.
    assert user.get("/miniapp/v1/subscriptions").json["quotas"] == {TEMPLATE: 1}


def test_values_of_every_documented_kind_are_accepted(miniapp_login, phone, services):
    data = {
        "thing1": "进疆负责人变更：已通过",
        "number2": "12.5",
        "letter3": "ABC",
        "symbol4": "%",
        "character_string5": "JX-2026-000123",
        "time6": "15:01 ~ 16:30",
        "date7": "2026年10月1日 15:01",
        "amount8": "¥100.50元",
        "phone_number9": "+86-0766-66888866",
        "car_number10": "粤A8Z888挂",
        "name11": "张建国",
        "phrase12": "配送中",
    }
    user = _consented(miniapp_login, phone)
    payload = {key: {"value": value} for key, value in data.items()}
    assert subscriptions.deliver_subscribe_message(services, user.user_id, TEMPLATE, payload).sent


# ---------------------------------------------------------------------------- phone number


def test_phone_number_binding_sends_the_openid_and_keeps_the_country_code(miniapp_login, phone):
    user = miniapp_login()
    bound = user.post(
        "/miniapp/v1/me/phone", json={"code": phone.phone_code("91234567", openid=user.openid, country_code="852")}
    )
    assert bound.status_code == 200, bound.json
    assert bound.json["country_code"] == "852" and "1234" not in bound.json["phone"]
    assert user.get("/miniapp/v1/me").json["user"]["country_code"] == "852"


def test_a_phone_code_of_another_wechat_user_is_refused(miniapp_login, phone):
    owner, other = miniapp_login(), miniapp_login()
    code = phone.phone_code("13912345678", openid=owner.openid)
    refused = other.post("/miniapp/v1/me/phone", json={"code": code})
    assert refused.status_code == 422 and refused.json["errors"]["code"]
    assert other.get("/miniapp/v1/me").json["user"]["phone"] is None


def test_a_phone_answer_watermarked_for_another_app_is_not_believed(miniapp_login, phone):
    user = miniapp_login()
    code = phone.phone_code("13912345678", openid=user.openid, watermark_appid="wx-someone-else")
    refused = user.post("/miniapp/v1/me/phone", json={"code": code})
    assert refused.status_code == 502 and "校验" in refused.json["detail"] and "watermark" in refused.json["hint"]
    assert user.get("/miniapp/v1/me").json["user"]["phone"] is None
