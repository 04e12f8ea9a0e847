"""Links in answers are remembered per app, and stay right behind a proxy's path prefix."""

from __future__ import annotations

from flask import url_for

from tests.api.flows import open_first_filing, upload


def _links(body):
    attachments = [a["download_url"] for s in body["sections"] for a in s["attachments"]]
    return attachments, body["commitment_letter_url"]


def test_links_follow_the_script_root_of_each_request(enterprise, app):
    filing = open_first_filing(enterprise)
    upload(enterprise, filing["id"], "business_license")
    plain = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    behind = enterprise.get(f"/api/v1/filings/{filing['id']}", environ_overrides={"SCRIPT_NAME": "/entry"}).json
    again = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    (plain_attachments, plain_letter), (behind_attachments, behind_letter) = _links(plain), _links(behind)
    assert plain_attachments and all(url.startswith("/api/v1/filings/") for url in plain_attachments)
    assert plain_letter == f"/api/v1/filings/{filing['id']}/commitment-letter"
    assert behind_attachments == ["/entry" + url for url in plain_attachments]
    assert behind_letter == "/entry" + plain_letter
    assert _links(again) == _links(plain)


def test_a_remembered_path_is_the_one_url_for_builds(enterprise, app):
    filing = open_first_filing(enterprise)
    attachment = upload(enterprise, filing["id"], "business_license")["attachment"]
    shown = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    (url,) = _links(shown)[0]
    with app.test_request_context():
        assert url == url_for("filings.AttachmentItem", filing_id=filing["id"], attachment_id=attachment["id"])
    assert any(key[1] == "filings.AttachmentItem" for key in app.extensions["entryfiling_link_paths"])
