"""The signed 承诺书 as phone photos: assembled into one PDF, each original's checksum kept, submittable."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from pypdf import PdfReader

from tests.api.flows import complete_first_filing


def photo(fmt: str, size=(900, 1270), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (250, 250, 245, 200) if mode == "RGBA" else "white").save(out, fmt)
    return out.getvalue()


def send_pages(enterprise, filing_id, pages):
    return enterprise.post(
        f"/api/v1/filings/{filing_id}/commitment-letter/photos",
        data={"file": [(io.BytesIO(content), name) for name, content in pages]},
        content_type="multipart/form-data",
    )


def test_photos_of_the_signed_letter_become_one_pdf_and_can_be_submitted(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    fid = complete_first_filing(enterprise, person, person)["id"]
    pages = [("p1.jpg", photo("JPEG")), ("p2.png", photo("PNG", mode="RGBA")), ("p3.jpg", photo("JPEG", (4200, 5900)))]
    response = send_pages(enterprise, fid, pages)
    assert response.status_code == 201, response.json
    letter = response.json["attachment"]
    assert letter["kind"] == "commitment_letter" and letter["content_type"] == "application/pdf"
    assert [p["sha256"] for p in letter["source_pages"]] == [hashlib.sha256(c).hexdigest() for _, c in pages]
    assert [p["filename"] for p in letter["source_pages"]] == ["p1.jpg", "p2.png", "p3.jpg"]
    pdf = enterprise.get(letter["download_url"]).data
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    submitted = enterprise.post(f"/api/v1/filings/{fid}/submit", json={"agreed": True, "signed_letter": letter["id"]})
    assert submitted.json["status"] == "approved", submitted.json


def test_a_page_that_is_no_photo_is_refused_by_its_number(enterprise):
    fid = enterprise.post("/api/v1/filings", json={"business": "first_filing", "enterprise_type": "construction"}).json[
        "id"
    ]
    refused = send_pages(enterprise, fid, [("p1.jpg", photo("JPEG")), ("p2.jpg", b"%PDF-1.4 not a photo")])
    assert refused.status_code == 422 and "第 2 页" in refused.json["detail"]
    broken = send_pages(enterprise, fid, [("p1.jpg", b"\xff\xd8\xff" + b"\x00" * 50)])
    assert broken.status_code == 422 and "无法读取" in broken.json["detail"]
    none = enterprise.post(
        f"/api/v1/filings/{fid}/commitment-letter/photos", data={}, content_type="multipart/form-data"
    )
    assert none.status_code == 422 and "照片" in none.json["detail"]
    assert enterprise.get(f"/api/v1/filings/{fid}").json["submission_attachments"] == []
