"""A filing contact converses about a draft and sends letter photos from the phone, on the same draft as the web."""

from __future__ import annotations

import io

from PIL import Image

from tests.api.flows import open_first_filing
from tests.miniapp.test_filing_contact import make_contact


def test_contact_fills_by_messages_and_sends_letter_photos(enterprise, verified_user):
    contact = make_contact(enterprise, verified_user)
    fid = open_first_filing(enterprise)["id"]
    opening = contact.get(f"/miniapp/v1/filings/{fid}/messages")
    assert opening.status_code == 200 and opening.json["question"]["kind"] == "confirm"
    reply = contact.post(f"/miniapp/v1/filings/{fid}/messages", json={"text": "是的。注册资本伍仟万元，法人李德拓"})
    assert reply.status_code == 200, reply.json
    assert [r["value"] for r in reply.json["recorded"]] == ["5,000 万元", "李德拓"]
    scoped = contact.post(
        f"/miniapp/v1/enterprises/{enterprise.id}/filings/{fid}/messages", json={"text": "成立日期二〇〇三年六月一日"}
    )
    assert scoped.status_code == 200 and scoped.json["recorded"][0]["value"] == "2003年6月1日"
    web = enterprise.get(f"/api/v1/filings/{fid}").json["sections"][0]["values"]
    assert web["registered_capital"] == "5000.00" and web["established_on"] == "2003-06-01"

    page = io.BytesIO()
    Image.new("RGB", (600, 850), "white").save(page, "JPEG")
    sent = contact.post(
        f"/miniapp/v1/enterprises/{enterprise.id}/filings/{fid}/commitment-letter/photos",
        data={"file": [(io.BytesIO(page.getvalue()), "page1.jpg")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    assert sent.json["attachment"]["download_url"].startswith("/miniapp/v1/")
