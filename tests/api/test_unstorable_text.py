"""A NUL character, which PostgreSQL cannot store in text, is refused with 422 wherever it comes,
on every database, after the caller is identified — never a server error."""

from __future__ import annotations

from entryfiling import messages as msg
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
