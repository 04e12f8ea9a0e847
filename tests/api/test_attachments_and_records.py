"""Attachments checked by content, size and count; records, drafts and isolation between enterprises."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.api.flows import complete_first_filing, open_first_filing, save, sign_and_submit, upload
from tests.factories import JPEG_BYTES, PNG_BYTES, pdf_bytes


def test_upload_is_typed_by_content_not_by_name(enterprise, services):
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    refused = upload(enterprise, fid, "business_license", b"just some text, not a scan", "license.pdf", expect=422)
    assert "PDF 文档" in refused["errors"]["file"] and "JPEG" in refused["errors"]["file"]
    accepted = upload(enterprise, fid, "business_license", JPEG_BYTES, "license.pdf")
    assert accepted["attachment"]["content_type"] == "image/jpeg"
    stored = enterprise.get(accepted["attachment"]["download_url"]).data
    assert accepted["attachment"]["sha256"] == hashlib.sha256(stored).hexdigest()  # the clean re-encoding
    assert list(services.settings.storage_dir.rglob("*")), "stored on disk under STORAGE_DIR"


def test_oversized_upload_is_refused_and_leaves_nothing(enterprise, services):
    filing = open_first_filing(enterprise)
    big = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024)
    response = enterprise.post(
        f"/api/v1/filings/{filing['id']}/attachments",
        data={"kind": "business_license", "file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413 and "5 MB" in response.json["detail"]
    assert not [p for p in services.settings.storage_dir.rglob("*") if p.is_file()]
    assert enterprise.get(f"/api/v1/filings/{filing['id']}").json["sections"][0]["attachments"] == []


def test_count_per_kind_is_limited(enterprise):
    filing = open_first_filing(enterprise)
    upload(enterprise, filing["id"], "business_license")
    second = upload(enterprise, filing["id"], "business_license", expect=409)
    assert "最多上传 1 个" in second["detail"]


def test_bad_upload_requests_are_clear(enterprise):
    filing = open_first_filing(enterprise)
    url = f"/api/v1/filings/{filing['id']}/attachments"
    unknown_kind = enterprise.post(
        url, data={"kind": "selfie", "file": (io.BytesIO(PNG_BYTES), "a.png")}, content_type="multipart/form-data"
    )
    assert unknown_kind.status_code == 422 and "selfie" in unknown_kind.json["detail"]
    no_file = enterprise.post(url, data={"kind": "business_license"}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.json["errors"]
    empty = enterprise.post(
        url, data={"kind": "business_license", "file": (io.BytesIO(b""), "a.png")}, content_type="multipart/form-data"
    )
    assert empty.status_code == 422


def test_owner_downloads_and_deletes_attachments(enterprise):
    filing = open_first_filing(enterprise)
    content = pdf_bytes()
    attachment = upload(enterprise, filing["id"], "qualification_certificates", content, "资质.pdf")["attachment"]
    download = enterprise.get(attachment["download_url"])
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == "application/pdf"
    removed = enterprise.delete(attachment["download_url"])
    assert removed.status_code == 200
    assert enterprise.get(attachment["download_url"]).status_code == 404


def test_other_enterprise_sees_nothing(enterprise, login_enterprise, make_person):
    filing = open_first_filing(enterprise)
    attachment = upload(enterprise, filing["id"], "business_license")["attachment"]
    intruder = login_enterprise("隔壁建设有限公司")
    base = f"/api/v1/filings/{filing['id']}"
    assert intruder.get(base).status_code == 404
    assert intruder.get(attachment["download_url"]).status_code == 404
    assert intruder.delete(attachment["download_url"]).status_code == 404
    assert intruder.get(f"{base}/commitment-letter").status_code == 404
    assert intruder.put(f"{base}/sections/basic_info", json={}, headers={"If-Match": "*"}).status_code == 404
    assert intruder.post(f"{base}/submit", json={"agreed": True}).status_code == 404
    assert intruder.delete(base).status_code == 404
    assert intruder.get("/api/v1/filings").json["total"] == 0
    person = make_person("跨企业人员", employed_by=intruder.id)
    problem = save(enterprise, filing, "responsible_person", {"person": person}, expect=422)
    assert "未与本企业建立聘用关系" in problem["errors"]["person"]


def test_records_filter_and_paginate_and_drafts_can_be_discarded(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    assert enterprise.delete(f"/api/v1/filings/{filing['id']}").status_code == 409

    drafts = enterprise.get("/api/v1/filings?status=draft").json
    assert drafts["total"] == 0
    records = enterprise.get("/api/v1/filings?business=first_filing&page=1&page_size=1").json
    assert records["total"] == 1 and records["pages"] == 1 and records["items"][0]["status_label"] == "审批通过"
    detail = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    assert [e["to_status_label"] for e in detail["events"]] == ["草稿", "已提交", "审批通过"]
    assert all(e["at"] for e in detail["events"])

    bad = enterprise.get("/api/v1/filings?status=lost&page=0&page_size=1000")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"status", "page", "page_size"}
    inverted = enterprise.get("/api/v1/filings?date_from=2026-02-01&date_to=2026-01-01")
    assert inverted.status_code == 422
    # Days are China Standard Time days, whatever the server's clock zone.
    today = datetime.fromisoformat(detail["created_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert enterprise.get(f"/api/v1/filings?date_from={today}&date_to={today}").json["total"] == 1
    assert enterprise.get("/api/v1/filings?date_to=2000-01-01").json["total"] == 0


def test_discarding_a_draft_removes_its_files(enterprise, services):
    filing = open_first_filing(enterprise)
    upload(enterprise, filing["id"], "business_license")
    assert enterprise.delete(f"/api/v1/filings/{filing['id']}").status_code == 204
    assert enterprise.get(f"/api/v1/filings/{filing['id']}").status_code == 404
    assert not [p for p in services.settings.storage_dir.rglob("*") if p.is_file()]


def test_submitted_filing_cannot_be_edited(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    sign_and_submit(enterprise, filing["id"])
    response = save(enterprise, filing, "basic_info", {"contact_name": "改"}, expect=409)
    assert "只有草稿可以修改" in response["detail"]
    assert upload(enterprise, filing["id"], "business_license", expect=409)


def test_openapi_document_and_docs_page(client):
    spec = client.get("/openapi.json").json
    for path in (
        "/api/v1/auth/challenge",
        "/api/v1/auth/login",
        "/api/v1/filings",
        "/api/v1/filings/{filing_id}/sections/{section_key}",
        "/api/v1/filings/{filing_id}/submit",
        "/api/v1/filings/{filing_id}/commitment-letter",
        "/api/v1/businesses",
    ):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_businesses_describe_the_first_filing(client):
    businesses = client.get("/api/v1/businesses").json
    first = next(b for b in businesses if b["key"] == "first_filing")
    assert [s["key"] for s in first["sections"]] == [
        "basic_info",
        "qualifications",
        "responsible_person",
        "technical_person",
        "xinjiang_office",
    ]
    table = first["sections"][1]["fields"][0]
    assert [c["label"] for c in table["columns"]] == [
        "资质",
        "资质类别",
        "资质证书编号",
        "证书有效期",
        "发证机关",
        "发证日期",
        "资质状态",
    ]
    assert next(c for c in table["columns"] if c["key"] == "category")["derived_from"] == "name"
    licence = next(f for f in first["sections"][1]["fields"] if f["key"] == "safety_license_number")
    assert licence["required_for"] == ["construction"]
    scan = next(k for k in first["sections"][1]["attachments"] if k["key"] == "safety_license_scan")
    assert scan["required_for"] == ["construction"]
    letter = first["submission_attachments"][0]
    assert letter["content_types"] == ["application/pdf"] and letter["max_bytes"] == 5 * 1024 * 1024
    assert "cost_consulting" not in {t["value"] for t in first["applies_to"]}
    assert client.get("/api/v1/businesses/nope").status_code == 404


def test_the_catalogue_comes_gzip_encoded_when_accepted_and_revalidates(client):
    plain = client.get("/api/v1/businesses")
    packed = client.get("/api/v1/businesses", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == plain.headers["Vary"] == "Accept-Encoding"
    assert len(packed.get_data()) * 4 < len(plain.get_data())
    assert json.loads(gzip.decompress(packed.get_data())) == plain.json
    assert packed.headers["ETag"] == plain.headers["ETag"]
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    for tag in (plain.headers["ETag"], "W/" + plain.headers["ETag"], f'"other", {plain.headers["ETag"]}'):
        unchanged = client.get("/api/v1/businesses", headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
        assert unchanged.status_code == 304 and unchanged.get_data() == b"", tag
        assert unchanged.headers["ETag"] == plain.headers["ETag"]
    assert client.get("/api/v1/businesses", headers={"If-None-Match": '"other"'}).status_code == 200
    refused = client.get("/api/v1/businesses", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.json == plain.json
    one = client.get("/api/v1/businesses/first_filing", headers={"Accept-Encoding": "gzip"})
    assert json.loads(gzip.decompress(one.get_data()))["key"] == "first_filing"
    # Served ahead of the app, but with what every answer has: the request id and the metrics.
    assert client.get("/api/v1/businesses", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/api/v1/businesses", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]) == 32
    head = client.head("/api/v1/businesses")
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"] == plain.headers["ETag"]
    scraped = client.get("/metrics").get_data(as_text=True)
    assert 'route="/api/v1/businesses/<string:key>"' in scraped and 'method="HEAD"' in scraped
    # What is not a static answer still goes to the app: its errors and its validation.
    assert client.get("/api/v1/businesses/no_such_business").status_code == 404
    assert client.get("/api/v1/businesses?page=1").json == plain.json


def test_record_dates_are_china_standard_time_days(enterprise, services):
    """20:00 UTC on 1 March is 04:00 on 2 March in Xinjiang's users' calendar (CST)."""
    services.clock = lambda: datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC"))
    open_first_filing(enterprise)
    assert enterprise.get("/api/v1/filings?date_from=2026-03-02&date_to=2026-03-02").json["total"] == 1
    assert enterprise.get("/api/v1/filings?date_to=2026-03-01").json["total"] == 0
    assert enterprise.get("/api/v1/filings?date_from=2026-03-03").json["total"] == 0


def test_ids_beyond_the_database_range_are_simply_not_found(enterprise):
    for url in ("/api/v1/filings/2147483648", "/api/v1/filings/99999999999999999999/next"):
        assert enterprise.get(url).status_code == 404
