"""Attachments in the S3-compatible object store (moto's server on loopback), through the HTTP API."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.api.flows import complete_first_filing, open_first_filing, sign_and_submit, upload
from tests.factories import JPEG_BYTES, pdf_bytes


@pytest.fixture
def app(make_app: Any, s3_bucket: Any) -> Any:
    return make_app(**s3_bucket.settings("attachments"))


def test_a_whole_first_filing_keeps_its_files_in_the_bucket(enterprise, make_person, s3_bucket, services):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘卫东", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)

    decided = sign_and_submit(enterprise, filing["id"])

    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "approved", decided.json
    keys = s3_bucket.object_keys()
    prefix = f"attachments/{enterprise.id}/{filing['id']}/"
    assert keys and all(k.startswith(prefix) for k in keys)
    recorded = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    attachments = [a for s in recorded["sections"] for a in s["attachments"]] + recorded["submission_attachments"]
    assert {f"{prefix}{a['sha256']}" for a in attachments} == set(keys), "one object per content, no leftovers"
    assert not list(services.settings.storage_dir.rglob("*.*")), "nothing on the local disk"


def test_download_goes_through_the_app_and_returns_the_stored_bytes(enterprise, login_enterprise, s3_bucket):
    filing = open_first_filing(enterprise)
    content = pdf_bytes()
    attachment = upload(enterprise, filing["id"], "qualification_certificates", content, "资质.pdf")["attachment"]

    download = enterprise.get(attachment["download_url"])
    assert download.status_code == 200 and download.data == content
    assert download.headers["ETag"].strip('"') == hashlib.sha256(content).hexdigest()
    assert login_enterprise("隔壁建设有限公司").get(attachment["download_url"]).status_code == 404


def test_identical_uploads_share_one_object_until_the_last_is_deleted(enterprise, s3_bucket):
    filing = open_first_filing(enterprise)
    first = upload(enterprise, filing["id"], "business_license", JPEG_BYTES, "执照.jpg")["attachment"]
    second = upload(enterprise, filing["id"], "legal_representative_id_card", JPEG_BYTES, "身份证.jpg")["attachment"]
    assert len(s3_bucket.object_keys()) == 1

    assert enterprise.delete(first["download_url"]).status_code == 200
    assert len(s3_bucket.object_keys()) == 1, "still referred to by the other attachment"
    kept = enterprise.get(second["download_url"]).data
    assert hashlib.sha256(kept).hexdigest() == second["sha256"] and kept.startswith(b"\xff\xd8")

    assert enterprise.delete(second["download_url"]).status_code == 200
    assert s3_bucket.object_keys() == []


def test_a_refused_upload_does_not_remove_an_identical_accepted_one(enterprise, s3_bucket):
    filing = open_first_filing(enterprise)
    accepted = upload(enterprise, filing["id"], "business_license", JPEG_BYTES, "执照.jpg")["attachment"]

    refused = upload(enterprise, filing["id"], "commitment_letter", JPEG_BYTES, "x.jpg", expect=422)  # PDF only

    assert "file" in refused["errors"]
    kept = enterprise.get(accepted["download_url"]).data
    assert hashlib.sha256(kept).hexdigest() == accepted["sha256"]


def test_uploading_a_downloaded_photo_again_keeps_the_first_one(enterprise, s3_bucket):
    """A re-encoded photo uploaded again is re-encoded once more; the first copy's object stays."""
    filing = open_first_filing(enterprise)
    first = upload(enterprise, filing["id"], "business_license", JPEG_BYTES, "执照.jpg")["attachment"]
    downloaded = enterprise.get(first["download_url"]).data
    upload(enterprise, filing["id"], "legal_representative_id_card", downloaded, "身份证.jpg")
    again = enterprise.get(first["download_url"])
    assert again.status_code == 200 and hashlib.sha256(again.data).hexdigest() == first["sha256"]


def test_discarding_a_draft_empties_its_objects(enterprise, s3_bucket):
    filing = open_first_filing(enterprise)
    upload(enterprise, filing["id"], "business_license")
    assert s3_bucket.object_keys()

    assert enterprise.delete(f"/api/v1/filings/{filing['id']}").status_code in (200, 204)
    assert s3_bucket.object_keys() == []


def test_an_object_lost_from_the_store_is_a_clear_404(enterprise, s3_bucket):
    filing = open_first_filing(enterprise)
    attachment = upload(enterprise, filing["id"], "business_license", JPEG_BYTES, "执照.jpg")["attachment"]
    for key in s3_bucket.object_keys():
        s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=key)

    response = enterprise.get(attachment["download_url"])

    assert response.status_code == 404
    assert response.json["detail"] == "附件文件不存在或已被删除，请重新上传"
