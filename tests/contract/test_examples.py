"""The documents' examples are real answers: a journey through every operation of both APIs, recorded
at the HTTP boundary, each answer checked against the schema its operation documents.

``UPDATE_CONTRACT_EXAMPLES=1 scripts/test tests/contract/test_examples.py`` writes what the run
recorded to ``entryfiling/http/examples.json`` (the examples both documents show); without it the
test checks that every kept example is still what a real run produces, by operation and status.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from entryfiling.http import examples
from handlers import regulators
from tests.api.flows import (
    complete_first_filing,
    registry_knows_qualifications,
)
from tests.conftest import BearerClient
from tests.contract.recorder import Recorder
from tests.contract.test_documents import media_problems, operations
from tests.factories import PNG_BYTES, make_id_number, pdf_bytes

UPDATE = os.environ.get("UPDATE_CONTRACT_EXAMPLES") == "1"
PASSWORD = "审核密码-Contract-2026"
UNKNOWN_ID = 2_000_000_000
GUIDED_ANSWERS = {"mobile": "13912345678", "phone": "0551-65550000", "date": "2008年5月20日", "amount": "5000万元"}


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def app(make_app: Callable[..., Flask], recorder: Recorder) -> Flask:
    built = make_app()
    recorder.install(built)
    return built


def _etag(user: BearerClient, url: str) -> str:
    return str(user.get(url).headers["ETag"])


def _upload(user: BearerClient, base: str, kind: str, content: bytes = PNG_BYTES, name: str = "scan.png") -> Any:
    return user.post(
        f"{base}/attachments",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _photos(user: BearerClient, base: str, photo: bytes) -> Any:
    return user.post(
        f"{base}/commitment-letter/photos",
        data={"file": (io.BytesIO(photo), "承诺书-第1页.jpg")},
        content_type="multipart/form-data",
    )


def _submit_blank_letter(user: BearerClient, base: str) -> Any:
    """A letter that is a PDF but not this filing's own: approval sends it to a regulator."""
    letter = _upload(user, base, "commitment_letter", pdf_bytes(), "承诺书-签章.pdf").json["attachment"]
    return user.post(f"{base}/submit", json={"agreed": True, "signed_letter": letter["id"]})


def _guided_and_conversation(user: BearerClient, base: str) -> None:
    step = user.get(f"{base}/next").json
    path = step["step"]["path"]
    user.post(f"{base}/answers", json={"field": path, "value": "周报送"})  # 428
    user.post(f"{base}/answers", json={"field": path, "value": ""}, headers={"If-Match": step["etag"]})
    step = user.get(f"{base}/next").json
    path, value = step["step"]["path"], GUIDED_ANSWERS.get(step["step"]["type"], "周报送")
    answered = user.post(f"{base}/answers", json={"field": path, "value": value}, headers={"If-Match": step["etag"]})
    user.post(f"{base}/answers", json={"field": path, "value": value}, headers={"If-Match": step["etag"]})  # 412
    assert answered.status_code == 200, answered.json
    user.post(f"{base}/back", json={})
    user.post(f"{base}/back", json={"from": "nowhere.at_all"})
    user.get(f"{base}/messages")
    user.post(f"{base}/messages", json={"text": "联系人周报送，联系电话0551-65550000"})
    user.post(f"{base}/messages", json={"text": ""})


def _walk_a_filing(user: BearerClient, base: str, tmp_path: Any) -> None:
    """The filing operations on a basic-info change: save (and its refusals), attach, letter, guided and
    conversational filling, submit to manual review, withdraw, copy, photos of the letter, delete."""
    opened = user.post(base, json={"business": "basic_info_change"})
    assert opened.status_code in (200, 201), opened.json
    fid = opened.json["id"]
    one = f"{base}/{fid}"
    assert user.post(base, json={"business": "basic_info_change"}).status_code == 200  # the open one again
    user.get(base, query_string={"status": "draft"})
    user.get(base, query_string={"date_from": "2025-13-01"})
    user.get(one)
    url = f"{one}/sections/basic_info"
    user.put(url, json={"contact_name": "王小明"})  # no If-Match: 428
    user.put(url, json={"contact_name": "王小明"}, headers={"If-Match": '"stale"'})  # 412
    user.put(url, json={"uscc": "91340100MA2N0DT10X"}, headers={"If-Match": _etag(user, one)})  # 422
    saved = user.put(
        url, json={"contact_name": "周报送", "contact_phone": "0551-65550000"}, headers={"If-Match": _etag(user, one)}
    )
    assert saved.status_code == 200, saved.json
    user.put(f"{one}/sections/nope", json={}, headers={"If-Match": _etag(user, one)})  # 404
    extra = _upload(user, one, "business_license").json["attachment"]
    _upload(user, one, "no_such_kind")  # 422
    user.get(f"{one}/attachments/{extra['id']}")
    user.delete(f"{one}/attachments/{extra['id']}")
    _upload(user, one, "business_license")
    _upload(user, one, "legal_representative_id_card")
    user.get(f"{one}/commitment-letter")
    _guided_and_conversation(user, one)
    user.post(f"{one}/submit", json={"agreed": False})  # 422: not agreed, no letter
    submitted = _submit_blank_letter(user, one)
    assert submitted.status_code == 200, submitted.json
    user.post(f"{one}/submit", json={"agreed": True})  # 409: already submitted
    user.delete(one)  # 409: submitted filings are not deleted
    assert user.post(f"{one}/withdraw").status_code == 200
    user.post(f"{one}/withdraw")  # 409
    copy = user.post(f"{one}/copy")
    assert copy.status_code == 201, copy.json
    copied = f"{base}/{copy.json['id']}"
    photographed = _photos(user, copied, _letter_photo(user, copied, tmp_path))
    assert photographed.status_code == 201, photographed.json
    _photos(user, copied, b"not a photo")  # 422
    assert user.delete(copied).status_code == 204


def _letter_photo(user: BearerClient, base: str, tmp_path: Any) -> bytes:
    """A phone photo (JPEG) of the filing's printed letter, QR code and all (poppler's pdftoppm)."""
    source = tmp_path / "letter.pdf"
    source.write_bytes(user.get(f"{base}/commitment-letter").data)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_path / "phone-page")],
        check=True,
        timeout=60,
    )
    out = io.BytesIO()
    Image.open(tmp_path / "phone-page.png").convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _finished(user: BearerClient, job_id: str) -> dict[str, Any]:
    """The job once it has ended (jobs run in the background even without Redis): nothing it writes
    may land in a later step of the journey."""
    for _ in range(200):
        job = user.get(f"/api/v1/jobs/{job_id}").json
        if job["status"] in ("finished", "failed"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end: {job}")


def _qualification_change(user: BearerClient, base: str) -> None:
    """Cancel a qualification's registration, sync from the registry; the draft is deleted after."""
    opened = user.post(base, json={"business": "qualification_change"})
    assert opened.status_code in (200, 201), opened.json
    one = f"{base}/{opened.json['id']}"
    cancel = f"{one}/sections/qualifications/tables/qualifications/rows"
    user.post(f"{cancel}/1/cancel")  # 428
    cancelled = user.post(f"{cancel}/1/cancel", headers={"If-Match": _etag(user, one)})
    assert cancelled.status_code == 200, cancelled.json
    user.post(f"{cancel}/9/cancel", headers={"If-Match": _etag(user, one)})  # 404
    if base.startswith("/api"):
        user.post(f"{one}/sync", json={"kind": "nonsense"})  # 422
        started = user.post(f"{one}/sync", json={})
        assert started.status_code == 202, started.json
        _finished(user, started.json["id"])
        user.get("/api/v1/jobs")
        user.get(f"/api/v1/jobs/{UNKNOWN_ID}")
    user.delete(one)


def test_a_real_run_answers_every_operation(
    client, app, recorder, login_enterprise, verified_user, miniapp_login, verify, phone, services, tmp_path
):
    enterprise = login_enterprise("安徽德拓建设工程有限公司", "91340100MA2N0DT108")
    # Challenges are counted per fixed one-minute window, which may turn over during the loop: two
    # windows' worth of requests reaches the 429 whichever way the minute falls.
    challenges_per_window = services.settings.login_attempts_per_minute * 2
    for _ in range(2 * challenges_per_window + 2):
        if client.post("/api/v1/auth/challenge").status_code == 429:
            break
    client.post("/api/v1/auth/login", json={"certificate": "not a certificate", "nonce": "x", "signature": "y"})
    client.post("/api/v1/auth/login", json={})
    client.get("/api/v1/businesses")
    client.get("/api/v1/businesses/first_filing")
    client.get("/api/v1/businesses/nope")
    client.delete("/api/v1/businesses")  # 405: what "default" means

    # Persons on their phones: log in, verify, see the invitation, accept it.
    client.post("/miniapp/v1/login", json={"code": "not-a-code"})
    responsible = verified_user("张建国")
    technical = verified_user("李技术")
    contact = verified_user("赵报送")
    leaver = verified_user("孙离职")
    stranger = miniapp_login(f"o-{make_id_number()}")
    stranger.post("/miniapp/v1/identity/verifications", json={"name": "王", "id_number": "123"})
    started = stranger.post(
        "/miniapp/v1/identity/verifications", json={"name": "周未认", "id_number": make_id_number()}
    )
    phone.face(started.json["verify_id"], 10004)
    stranger.post(f"/miniapp/v1/identity/verifications/{started.json['verify_id']}/confirm")
    stranger.post("/miniapp/v1/identity/verifications/nope/confirm")
    for user, role in (
        (responsible, "employee"),
        (technical, "employee"),
        (contact, "filing_contact"),
        (leaver, "employee"),
    ):
        code = enterprise.post("/api/v1/invitations", json={"role": role, "ttl_hours": 48}).json
        user.get("/miniapp/v1/invitations/preview", query_string={"code": code["code"]})
        assert user.post("/miniapp/v1/invitations/accept", json={"code": code["code"]}).status_code == 201
    enterprise.post("/api/v1/invitations", json={"role": "boss"})
    spare = enterprise.post("/api/v1/invitations", json={"role": "employee"}).json
    enterprise.get(f"/api/v1/invitations/{spare['id']}/wxacode")
    stranger.post("/miniapp/v1/invitations/accept", json={"code": spare["code"]})  # 403: not verified
    assert enterprise.delete(f"/api/v1/invitations/{spare['id']}").status_code == 200
    enterprise.delete(f"/api/v1/invitations/{spare['id']}")  # 409
    contact.get("/miniapp/v1/invitations/preview", query_string={"code": spare["code"]})  # 409
    contact.post("/miniapp/v1/invitations/accept", json={"code": "short"})
    enterprise.get("/api/v1/invitations")
    enterprise.get("/api/v1/employments", query_string={"current": "true"})
    persons = {p["name"]: p["id"] for p in enterprise.get("/api/v1/persons", query_string={"q": ""}).json["items"]}
    enterprise.get("/api/v1/persons", query_string={"page": 0})

    # The phone user's own pages.
    contact.get("/miniapp/v1/me")
    contact.post("/miniapp/v1/me/phone", json={"code": phone.phone_code("13912345678", openid=contact.openid)})
    contact.post("/miniapp/v1/me/phone", json={"code": "used-or-wrong"})
    templates = contact.get("/miniapp/v1/notifications/templates").json
    template_ids = [t for t in templates.values() if t]
    report = {"errMsg": "requestSubscribeMessage:ok", **{t: "accept" for t in template_ids}}
    contact.post("/miniapp/v1/subscriptions", json=report)
    contact.post("/miniapp/v1/subscriptions", json={"errMsg": "requestSubscribeMessage:fail cancel"})
    contact.get("/miniapp/v1/subscriptions")

    # The enterprise's first filing: to manual review (a letter not its own), decided by a regulator.
    first = complete_first_filing(enterprise, persons["张建国"], persons["李技术"])
    fid = first["id"]
    enterprise.get(f"/api/v1/filings/{UNKNOWN_ID}")
    enterprise.post("/api/v1/filings", json={"business": "cost_consulting_project"})  # 403 for this type
    enterprise.post("/api/v1/filings", json={"business": "no_such_business"})
    assert _submit_blank_letter(enterprise, f"/api/v1/filings/{fid}").json["status"] == "manual_review"
    regulators.create_regulator(services, "reviewer.contract", "陈审核", PASSWORD)
    client.post("/api/v1/review/login", json={"username": "reviewer.contract", "password": "wrong password"})
    client.post("/api/v1/review/login", json={})
    token = client.post("/api/v1/review/login", json={"username": "reviewer.contract", "password": PASSWORD}).json
    reviewer = BearerClient(client, token["access_token"])
    reviewer.get("/api/v1/review/filings")
    detail = reviewer.get(f"/api/v1/review/filings/{fid}").json
    letter_id = detail["signed_letter_id"]
    reviewer.get(f"/api/v1/review/filings/{fid}/attachments/{letter_id}")
    reviewer.get(f"/api/v1/review/filings/{UNKNOWN_ID}")
    decision = f"/api/v1/review/filings/{fid}/decision"
    reviewer.post(decision, json={"decision": "maybe"}, headers={"If-Match": detail["etag"]})
    decided = reviewer.post(
        decision, json={"decision": "approve", "reason": "材料齐全，核对无误"}, headers={"If-Match": detail["etag"]}
    )
    assert decided.status_code == 200, decided.json
    reviewer.post(
        decision,
        json={"decision": "approve", "reason": "材料齐全，核对无误"},
        headers={"If-Match": decided.headers.get("ETag", detail["etag"])},
    )
    reviewer.get("/api/v1/review/audit", query_string={"event": "login"})
    reviewer.get("/api/v1/review/audit", query_string={"date_from": "not a date"})
    enterprise.get("/api/v1/review/filings")  # 403: not a regulator

    # The filed enterprise: its record, history, the public register, the registry syncs.
    enterprise.get("/api/v1/enterprise")
    enterprise.get("/api/v1/enterprise/history")
    client.get("/api/v1/public/enterprises", query_string={"q": "德拓"})
    client.get("/api/v1/public/enterprises", query_string={"enterprise_type": "nonsense"})
    client.get(f"/api/v1/public/enterprises/{enterprise.uscc}")
    client.get("/api/v1/public/enterprises/91110000000000000X")
    _finished(enterprise, enterprise.post("/api/v1/sync/certificates").json["id"])
    enterprise.get("/api/v1/sync/certificates")
    registry_knows_qualifications(
        enterprise,
        [
            {
                "name": "建筑工程施工总承包壹级",
                "certificate_number": "D134023425",
                "valid_until": (date.today() + timedelta(days=900)).isoformat(),
                "issued_on": (date.today() - timedelta(days=100)).isoformat(),
            }
        ],
    )
    _finished(enterprise, enterprise.post("/api/v1/sync/qualifications").json["id"])

    # Every filing operation, on both APIs: the enterprise itself, and its filing contact on the phone.
    _walk_a_filing(enterprise, "/api/v1/filings", tmp_path)
    phone_base = f"/miniapp/v1/enterprises/{enterprise.id}/filings"
    _walk_a_filing(contact, phone_base, tmp_path)
    contact.get(f"/miniapp/v1/enterprises/{UNKNOWN_ID}/filings")
    _qualification_change(enterprise, "/api/v1/filings")
    _qualification_change(contact, phone_base)
    # The contact's shortcut routes (/miniapp/v1/filings/{id}/…) for the step-by-step flows.
    draft = contact.post(phone_base, json={"business": "basic_info_change"}).json
    _upload(contact, f"{phone_base}/{draft['id']}", "business_license")
    _upload(contact, f"{phone_base}/{draft['id']}", "legal_representative_id_card")
    _guided_and_conversation(contact, f"/miniapp/v1/filings/{draft['id']}")
    contact.delete(f"{phone_base}/{draft['id']}")

    # The submitter's inbox: the decision was pushed.
    box = contact.get("/miniapp/v1/notifications").json
    contact.get("/miniapp/v1/notifications", query_string={"page": 0})
    if box["items"]:
        contact.post(f"/miniapp/v1/notifications/{box['items'][0]['id']}/read")
    contact.post(f"/miniapp/v1/notifications/{UNKNOWN_ID}/read")
    contact.post("/miniapp/v1/notifications/read", json={})
    contact.post("/miniapp/v1/notifications/read", json={"ids": ["x"]})

    # Employments end, from either side.
    employments = {e["person"]["name"]: e for e in enterprise.get("/api/v1/employments").json["items"]}
    enterprise.post(f"/api/v1/employments/{employments['孙离职']['id']}/end")
    enterprise.post(f"/api/v1/employments/{employments['孙离职']['id']}/end")  # 409
    mine = [e for e in enterprise.get("/api/v1/employments").json["items"] if e["person"]["name"] == "李技术"]
    technical.post(f"/miniapp/v1/employments/{mine[0]['id']}/end")
    technical.post(f"/miniapp/v1/employments/{UNKNOWN_ID}/end")

    _probe_refusals(client, recorder)

    # Sessions end last: logging out makes each token useless.
    assert stranger.post("/miniapp/v1/logout").status_code == 204
    stranger.post("/miniapp/v1/logout")
    reviewer.post("/api/v1/review/logout")
    reviewer.post("/api/v1/review/logout")
    enterprise.post("/api/v1/auth/logout")
    enterprise.post("/api/v1/auth/logout")

    _check_and_keep(client, recorder)


def _probe_refusals(client: Any, recorder: Recorder) -> None:
    """Each operation once more as a wrong call: without a token (401), with ids that name nothing
    (404), with a body missing what it requires (422); the answers are what those refusals look like."""
    for key, call in sorted(recorder.calls.items()):
        method = call.method.lower()
        if key.endswith("/logout"):
            continue
        if "Authorization" in call.headers:
            getattr(client, method)(call.url)
        if call.path_args:
            url = call.url
            for value in call.path_args.values():
                url = re.sub(rf"/{re.escape(str(value))}(?=/|$|\?)", f"/{UNKNOWN_ID}", url, count=1)
            getattr(client, method)(url, headers=call.headers, json={} if method in ("post", "put") else None)
        if method in ("post", "put") and not key.endswith(("/attachments", "/photos")):
            getattr(client, method)(call.url, headers=call.headers, json=[])


def _check_and_keep(client: Any, recorder: Recorder) -> None:
    documents = [client.get(url).json for url in ("/openapi.json", "/miniapp/openapi.json")]
    documented = {key: (doc, op) for doc in documents for key, op in operations(doc)}
    recorded = {key: exchange for key, exchange in recorder.exchanges.items() if key in documented}
    wrong = []
    for key, exchange in recorded.items():
        doc, operation = documented[key]
        wrong += media_problems(doc, key, operation, exchange)
    assert wrong == [], "\n".join(wrong)
    unanswered = sorted(
        key
        for key, (_doc, operation) in documented.items()
        if not any(s.startswith("2") for s in recorded.get(key, {}).get("responses", {}))
        and not _only_no_content(operation)
    )
    assert unanswered == [], unanswered
    if UPDATE:
        examples.EXAMPLES_FILE.write_text(
            json.dumps(recorded, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    kept = examples.recorded()
    gone = sorted(
        f"{key} {status}"
        for key, exchange in kept.items()
        for status in exchange["responses"]
        if status not in recorded.get(key, {}).get("responses", {})
    )
    assert gone == [], f"kept examples a real run no longer answers (UPDATE_CONTRACT_EXAMPLES=1 rewrites them): {gone}"


def _only_no_content(operation: dict[str, Any]) -> bool:
    return [s for s in operation["responses"] if str(s).startswith("2")] == ["204"]
