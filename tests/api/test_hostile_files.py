"""Hostile uploads × every attachment kind of every business: all refused with a reason, nothing stored."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from entryfiling.db.models import Attachment, AuditEvent, Filing
from entryfiling.domain.businesses import BUSINESSES, EnterpriseType
from entryfiling.domain.content_types import PDF
from handlers.services import utcnow
from tests.api.flows import open_first_filing, upload
from tests.factories import image_bytes, pdf_bytes
from tests.hostile_files import corpus

CJK = re.compile(r"[\u4e00-\u9fff]")


def _draft(services, enterprise_id: int, business_key: str) -> int:
    """A draft of any business for the enterprise (how it got opened is tested elsewhere)."""
    business = BUSINESSES[business_key]
    kind = (
        EnterpriseType.CONSTRUCTION
        if EnterpriseType.CONSTRUCTION in business.applies_to
        else next(iter(business.applies_to))
    )
    now = utcnow()
    with services.uow() as uow:
        filing = Filing(
            enterprise_id=enterprise_id,
            business=business_key,
            enterprise_type=kind.value,
            status="draft",
            sections={},
            created_by={},
            created_at=now,
            updated_at=now,
        )
        uow.session.add(filing)
        uow.commit()
        return filing.id


def test_every_hostile_file_is_refused_for_every_kind_and_nothing_is_stored(enterprise, services):
    files = corpus()
    assert len(files) >= 15
    tried = refused = 0
    for business in BUSINESSES.values():
        filing_id = _draft(services, enterprise.id, business.key)
        for kind in business.attachment_kinds:
            for name, content, words in files:
                response = enterprise.post(
                    f"/api/v1/filings/{filing_id}/attachments",
                    data={"kind": kind.key, "file": (io.BytesIO(content), name)},
                    content_type="multipart/form-data",
                )
                tried += 1
                detail = response.json["detail"]
                assert response.status_code == 422, (business.key, kind.key, name, response.json)
                assert response.mimetype == "application/problem+json"
                assert CJK.search(detail) and response.json["errors"]["file"] == detail
                expected = words if kind.content_types != (PDF,) or name.endswith(".pdf") else ("只接受",)
                assert any(word in detail for word in expected), (kind.key, name, detail)
                refused += 1
    assert refused == tried == len(files) * sum(len(b.attachment_kinds) for b in BUSINESSES.values())
    assert not [p for p in services.settings.storage_dir.rglob("*") if p.is_file()]
    with services.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 0
        assert (
            uow.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "attachment_uploaded")
            )
            == 0
        )


def test_photos_are_stored_without_exif_and_upright(enterprise):
    filing = open_first_filing(enterprise)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif[0x8825] = {2: (43.0, 49.0, 0.0), 4: (87.0, 36.0, 0.0)}  # GPS: Ürümqi
    exif[0x010F] = "PhoneMaker"
    photo = image_bytes("JPEG", (40, 20), exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif()

    stored = upload(enterprise, filing["id"], "business_license", photo, "photo.jpg")["attachment"]
    served = Image.open(io.BytesIO(enterprise.get(stored["download_url"]).data))

    assert served.format == "JPEG" and not served.getexif() and "exif" not in served.info
    assert served.size == (20, 40)  # turned upright, as the phone showed it


def test_clean_files_still_pass(enterprise):
    filing = open_first_filing(enterprise)
    assert upload(enterprise, filing["id"], "qualification_certificates", pdf_bytes(3), "q.pdf")["attachment"]
    png = upload(enterprise, filing["id"], "qualification_certificates", image_bytes("PNG"), "q.png")["attachment"]
    assert png["content_type"] == "image/png"
    letter = enterprise.get(f"/api/v1/filings/{filing['id']}/commitment-letter").data
    assert upload(enterprise, filing["id"], "commitment_letter", letter, "letter.pdf")["attachment"]


@pytest.mark.parametrize("name", ["deflate-bomb.pdf", "png-bomb.png"])
def test_bombs_are_refused_without_expanding(enterprise, name):
    filing = open_first_filing(enterprise)
    content = dict((n, c) for n, c, _w in corpus())[name]
    refused = upload(enterprise, filing["id"], "business_license", content, name, expect=422)
    assert "炸弹" in refused["detail"]
