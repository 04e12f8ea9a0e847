"""Every link in every answer leads to a route of the API that gave it.

The read models carry no URLs; each HTTP layer builds its own. These journeys collect every
``*_url`` (and ``url``) value of what the enterprise API, the mini-program and the review API
answer, and follow each with the caller's own token.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from tests.api.flows import complete_first_filing, sign_and_submit, skip_or
from tests.factories import pdf_bytes
from tests.miniapp.test_filing_contact import make_contact
from tests.miniapp.test_guided_on_phone import ANSWERS
from tests.notifications.test_review import filed_enterprise, name_change_in_review

# Links that name an action are followed with POST; every other link is read with GET.
ACTIONS = {"submit_url", "decision_url"}


def links(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from links(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from links(v, key)
    elif isinstance(value, str) and (key == "url" or key.endswith("_url")):
        yield key, value


def follow(caller: Any, answers: list[dict[str, Any]], prefix: str) -> set[str]:
    """Follow every link once: each is under ``prefix`` and answers neither 404 nor 405."""
    followed = set()
    for key, url in {pair for answer in answers for pair in links(answer)}:
        assert url.startswith(prefix), (key, url)
        response = caller.post(url, json={}) if key in ACTIONS else caller.get(url)
        assert response.status_code not in (404, 405), (key, url, response.status_code)
        if key not in ACTIONS:
            assert response.status_code == 200, (key, url, response.status_code)
        followed.add(key)
    return followed


def test_links_of_a_whole_first_filing_lead_to_the_enterprise_api(enterprise, make_person, worker):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    detail = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved"
    synced = enterprise.post("/api/v1/sync/certificates")
    assert synced.status_code == 202 and synced.headers["Location"] == synced.json["url"]
    followed = follow(enterprise, [detail, decided, synced.json], "/api/v1/")
    assert {"download_url", "commitment_letter_url", "url"} <= followed


def test_links_of_a_guided_filing_on_the_phone_lead_to_the_miniapp_api(enterprise, verified_user, make_person):
    contact = make_contact(enterprise, verified_user)
    make_person("张建国", employed_by=enterprise.id)
    base = f"/miniapp/v1/enterprises/{enterprise.id}/filings"
    fid = contact.post(base, json={"business": "first_filing", "enterprise_type": "construction"}).json["id"]
    answers = ANSWERS | {"enterprise_name": enterprise.name, "uscc": enterprise.uscc, "person": "张建国"}
    seen: list[dict[str, Any]] = []
    for _ in range(80):
        view = contact.get(f"/miniapp/v1/filings/{fid}/next")
        assert view.status_code == 200, view.json
        seen.append(view.json)
        if view.json["status"] == "ready":
            break
        step = view.json["step"]
        if step["type"] == "attachment":
            uploaded = contact.post(
                f"{base}/{fid}/attachments",
                data={"kind": step["attachment"]["kind"], "file": (io.BytesIO(pdf_bytes()), "scan.pdf")},
                content_type="multipart/form-data",
            )
            assert uploaded.status_code == 201, uploaded.json
            seen.append(uploaded.json)
            continue
        answered = contact.post(
            f"/miniapp/v1/filings/{fid}/answers",
            json={"field": step["path"], "value": skip_or(step, answers)},
            headers={"If-Match": view.headers["ETag"]},
        )
        assert answered.status_code == 200, answered.json
    else:
        raise AssertionError("never ready")
    ready = seen[-1]
    assert ready["submission"]["submit_url"] == f"{base}/{fid}/submit"
    assert ready["submission"]["letter_url"] == f"{base}/{fid}/commitment-letter"
    followed = follow(contact, seen, f"{base}/{fid}/")
    assert {"download_url", "commitment_letter_url", "letter_url", "submit_url"} <= followed


def test_links_of_a_review_lead_to_the_review_api(enterprise, make_person, client, regulator, subscribed_contact):
    filed_enterprise(enterprise, make_person)
    contact = subscribed_contact("赵报送")
    filing = name_change_in_review(enterprise)
    queue = client.get("/api/v1/review/filings", headers=regulator).json
    view = client.get(queue["items"][0]["url"], headers=regulator).json
    assert view["commitment_letter_url"] is None  # the signed letter is among the attachments
    reviewer = _Authorised(client, regulator)
    followed = follow(reviewer, [queue, view], "/api/v1/review/filings/")
    assert {"url", "download_url", "decision_url"} <= followed
    inbox = contact.get("/miniapp/v1/notifications").json
    assert follow(contact, [inbox], f"/miniapp/v1/enterprises/{enterprise.id}/filings/{filing['id']}") == {
        "filing_url"
    }


class _Authorised:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def get(self, url: str) -> Any:
        return self.client.get(url, headers=self.headers)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.headers, **kw)
