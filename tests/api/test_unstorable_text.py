"""A NUL character, which PostgreSQL cannot store in text, is refused with 422 wherever it comes,
on every database, after the caller is identified — never a server error."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from entryfiling import messages as msg
from entryfiling.http.text_safety import NUL, _may_hold_nul, _nul_path
from tests.api.flows import open_first_filing


def test_a_nul_in_a_json_string_is_refused_naming_the_field(enterprise):
    response = enterprise.post("/api/v1/invitations", json={"role": "employee", "note": "张\u0000三"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == msg.TEXT_NUL
    assert response.json["errors"] == {"note": msg.TEXT_NUL}
    assert enterprise.get("/api/v1/invitations").json["items"] == []


def test_a_nul_deep_in_a_section_names_its_path(enterprise):
    filing = open_first_filing(enterprise)
    response = enterprise.put(
        f"/api/v1/filings/{filing['id']}/sections/qualifications",
        json={"qualifications": [{"name": "建筑工程施工总承包贰级\u0000"}]},
        headers={"If-Match": filing["etag"]},
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"qualifications[0].name": msg.TEXT_NUL}


def test_a_nul_in_a_query_is_refused(client):
    response = client.get("/api/v1/public/enterprises", query_string={"q": "德\u0000拓"})
    assert response.status_code == 422 and response.json["errors"] == {"q": msg.TEXT_NUL}


def test_who_is_asking_comes_first(client):
    response = client.post("/api/v1/invitations", json={"role": "employee", "note": "\u0000"})
    assert response.status_code == 401


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_a_body_said_to_hold_no_nul_holds_none(value, ascii_only):
    """The hook parses a JSON body only when its bytes may hold a NUL: the check it skips on must
    never miss one, however the client escapes its text."""
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    if _nul_path(value, "") is not None or (isinstance(value, str) and NUL in value):
        assert _may_hold_nul(body)


def test_a_nul_sent_escaped_or_in_utf16_is_still_refused(enterprise):
    for body in (b'{"role": "employee", "note": "\\u0000"}', '{"note": "张\\u0000"}'.encode("utf-16")):
        response = enterprise.post("/api/v1/invitations", data=body, content_type="application/json")
        assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"
    assert enterprise.get("/api/v1/invitations").json["items"] == []
