"""Real-name verification with 微信人脸核身 through the stand-in, and its refusals."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from stdnum.cn import ric

from entryfiling.db.models import AuditEvent, IdentityVerification, Person, WeChatUser
from entryfiling.integrations.wechat import cert_hash
from tests.factories import make_id_number

GETVERIFYID = "/cityservice/face/identify/getverifyid"


@pytest.fixture
def logged_in(miniapp_login):
    """One login shared by every example of a hypothesis test (login is rate limited)."""
    return miniapp_login()


def start(user, name="张建国", id_number=None):
    id_number = make_id_number() if id_number is None else id_number
    return user.post("/miniapp/v1/identity/verifications", json={"name": name, "id_number": id_number})


def confirm(user, verify_id):
    return user.post(f"/miniapp/v1/identity/verifications/{verify_id}/confirm")


def test_cert_hash_matches_wechats_worked_example():
    assert cert_hash("IDENTITY_CARD", "张三", "310101199801011234") == (
        "3c241f7ff324977aeb91f173bb2a7b06569e6fd784d5573db34a636d8671108b"
    )


def test_verification_marks_the_person_verified_and_keeps_evidence(miniapp_login, phone, services):
    user = miniapp_login()
    id_number = make_id_number()
    started = start(user, "张建国", id_number)
    assert started.status_code == 201, started.json
    assert started.json["id_number"] == id_number[:4] + "*" * 10 + id_number[-4:]
    [call] = phone.calls(GETVERIFYID)
    assert call["params"] == {}  # only access_token in the query, and that is not recorded

    phone.face(started.json["verify_id"])
    done = confirm(user, started.json["verify_id"])
    assert done.status_code == 200, done.json
    assert done.json["verified"] is True and done.json["name"] == "张建国"
    assert id_number not in done.get_data(as_text=True)

    me = user.get("/miniapp/v1/me").json
    assert me["identity"]["verified"] is True
    assert me["identity"]["id_number"] == id_number[:4] + "*" * 10 + id_number[-4:]
    with services.uow() as uow:
        attempt = uow.session.scalar(select(IdentityVerification))
        assert attempt.provider == "wechat_face" and attempt.status == "passed" and attempt.result_code == 10000
        assert attempt.out_seq_no and attempt.verify_id == started.json["verify_id"]
        assert id_number not in attempt.id_number_sealed
        person = uow.session.get(Person, attempt.person_id)
        assert person.verified_at is not None and id_number not in person.id_number_sealed
        assert uow.session.scalar(select(WeChatUser.person_id).where(WeChatUser.id == user.user_id)) == person.id
        audit = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "identity_verification_passed"))
        assert audit.actor_name == "张建国"
        assert audit.details["out_seq_no"] == attempt.out_seq_no and audit.details["result_code"] == 10000


def test_face_or_id_mismatch_is_refused_naming_what_failed(miniapp_login, phone, services):
    for verify_ret, words in ((10004, "人脸"), (10003, "身份证号"), (90004, "尚未完成人脸核身")):
        user = miniapp_login()
        started = start(user)
        if verify_ret != 90004:
            phone.face(started.json["verify_id"], verify_ret)
        refused = confirm(user, started.json["verify_id"])
        assert refused.status_code == 422, refused.json
        assert "实名认证未通过" in refused.json["detail"] and words in refused.json["detail"]
        assert refused.json["result_code"] == verify_ret
        assert user.get("/miniapp/v1/me").json["identity"]["verified"] is False
    with services.uow() as uow:
        assert uow.session.scalars(select(Person)).all() == []
        statuses = uow.session.scalars(select(IdentityVerification.status)).all()
        assert statuses == ["failed", "failed", "failed"]


def test_expired_verify_id_is_refused(miniapp_login, phone):
    user = miniapp_login()
    started = start(user)
    phone.expire_verify_id(started.json["verify_id"])
    refused = confirm(user, started.json["verify_id"])
    assert refused.status_code == 422
    assert "过期" in refused.json["detail"] and refused.json["result"] == "expired"


def test_confirming_twice_or_someone_elses_session_is_refused(miniapp_login, phone):
    user, other = miniapp_login(), miniapp_login()
    started = start(user)
    phone.face(started.json["verify_id"])
    assert confirm(other, started.json["verify_id"]).status_code == 404
    assert confirm(user, "no-such-verify-id").status_code == 404
    assert confirm(user, started.json["verify_id"]).status_code == 200
    again = confirm(user, started.json["verify_id"])
    assert again.status_code == 409 and "请勿重复确认" in again.json["detail"]
    assert start(user).status_code == 409  # already verified


def test_one_id_number_belongs_to_one_wechat_user(miniapp_login, verified_user, phone):
    id_number = make_id_number()
    verified_user("张建国", id_number)
    intruder = miniapp_login()
    refused = start(intruder, "张建国", id_number)
    assert refused.status_code == 409
    assert "其他微信用户" in refused.json["detail"]
    assert phone.calls(GETVERIFYID) and len(phone.calls(GETVERIFYID)) == 1  # the intruder never reached WeChat


def test_two_users_racing_for_one_id_number_bind_it_once(miniapp_login, phone):
    id_number = make_id_number()
    first, second = miniapp_login(), miniapp_login()
    a, b = start(first, "张建国", id_number), start(second, "张建国", id_number)
    phone.face(a.json["verify_id"])
    phone.face(b.json["verify_id"])
    assert confirm(first, a.json["verify_id"]).status_code == 200
    late = confirm(second, b.json["verify_id"])
    assert late.status_code == 409
    assert second.get("/miniapp/v1/me").json["identity"]["verified"] is False


def test_person_registered_before_is_bound_not_duplicated(miniapp_login, verify, make_person, services):
    id_number = make_id_number()
    person_id = make_person("张建国", verified=False, id_number=id_number)
    user = miniapp_login()
    assert verify(user, "张建国", id_number).status_code == 200
    with services.uow() as uow:
        assert [p.id for p in uow.session.scalars(select(Person))] == [person_id]
        assert uow.session.get(Person, person_id).verified_at is not None


def test_bad_name_is_refused_before_wechat(miniapp_login, phone):
    user = miniapp_login()
    for name in ("", "张", 42, None, "x" * 51, "张\x00三"):
        refused = start(user, name=name)
        assert refused.status_code == 422, name
        assert "name" in refused.json["errors"]
    assert phone.calls(GETVERIFYID) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=string.digits, min_size=17, max_size=17), wrong=st.sampled_from("0123456789X"))
def test_id_number_with_a_wrong_check_digit_is_refused_before_wechat(logged_in, phone, body, wrong):
    body = "110105" + "19850312" + body[-3:]
    if ric.calc_check_digit(body + "0") == wrong:
        wrong = "0" if wrong != "0" else "1"
    user = logged_in
    refused = start(user, id_number=body + wrong)
    assert refused.status_code == 422
    assert refused.json["errors"]["id_number"].startswith("身份证号：校验位")
    assert phone.calls(GETVERIFYID) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.integers(), max_size=2)))
def test_any_malformed_id_number_is_a_422_never_a_500(logged_in, phone, raw):
    user = logged_in
    response = (
        start(user, id_number=raw)
        if raw is not None
        else user.post("/miniapp/v1/identity/verifications", json={"name": "张建国", "id_number": None})
    )
    if response.status_code == 201:  # hypothesis found a valid number: it went to WeChat
        assert len(raw) >= 18
    else:
        assert response.status_code == 422
        assert "id_number" in response.json["errors"]


def test_unknown_identity_provider_is_a_configuration_error(make_app):
    from entryfiling.integrations.identity import make_identity_verifier

    app = make_app(identity_provider="no_such_provider")
    with pytest.raises(ValueError, match="未知的实名认证服务"):
        make_identity_verifier("no_such_provider", app.extensions["entryfiling"])
