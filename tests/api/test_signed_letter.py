"""The signed letter belongs to this filing: its reference is read from the text layer or, on a scan, from
the letter's QR code; another filing's letter is refused and an unreadable one goes to a person."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image

from entryfiling.integrations.letter_reading import read_letter_references
from tests.api.flows import complete_first_filing, open_first_filing, signed_letter, upload
from tests.factories import pdf_bytes


def submit_with(enterprise, filing_id: int, content: bytes) -> dict:
    letter = upload(enterprise, filing_id, "commitment_letter", content, "承诺书-签章.pdf")["attachment"]
    response = enterprise.post(
        f"/api/v1/filings/{filing_id}/submit", json={"agreed": True, "signed_letter": letter["id"]}
    )
    assert response.status_code == 200, response.json
    return response.json


def letter_rule(decided: dict) -> dict:
    return next(r for r in decided["rule_results"] if r["rule"] == "signed_letter_names_this_filing")


def scanned(pdf: bytes, tmp_path) -> bytes:
    """The letter as a scanner makes it: page images only, no text layer."""
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")], check=True, timeout=60)
    pages = [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("page*.png"))]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return buffer.getvalue()


def test_the_filings_own_letter_is_recognised(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    decided = submit_with(enterprise, filing["id"], signed_letter(enterprise, filing["id"]))
    assert decided["status"] == "approved", decided["reasons"]
    assert letter_rule(decided)["outcome"] == "passed"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (installed by CI)")
def test_a_scanned_letter_is_recognised_by_its_qr_code(enterprise, make_person, tmp_path):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    decided = submit_with(enterprise, filing["id"], scanned(signed_letter(enterprise, filing["id"]), tmp_path))
    assert decided["status"] == "approved", decided["reasons"]


def test_another_filings_letter_is_refused(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    other = enterprise.post(
        "/api/v1/filings", json={"business": "personnel_certificates", "enterprise_type": "construction"}
    ).json
    others_letter = signed_letter(enterprise, other["id"])
    filing = complete_first_filing(enterprise, person, person)
    decided = submit_with(enterprise, filing["id"], others_letter)
    assert decided["status"] == "rejected"
    result = letter_rule(decided)
    assert result["outcome"] == "failed" and other["reference"] in result["reasons"][0]
    assert result["evidence"][0]["filed"] == decided["reference"]


def test_a_letter_without_a_readable_reference_goes_to_a_person(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    decided = submit_with(enterprise, filing["id"], pdf_bytes())
    assert decided["status"] == "manual_review", decided["reasons"]
    assert letter_rule(decided)["outcome"] == "not_checked"


def test_the_letter_carries_the_reference_as_a_qr_code(enterprise):
    filing = open_first_filing(enterprise)
    reading = read_letter_references(io.BytesIO(signed_letter(enterprise, filing["id"])))
    assert reading.references == (filing["reference"],)


def _reads_of_the_file(monkeypatch) -> list[str]:
    """The signed letters read from their stored file (not from what their upload found)."""
    import handlers.stored_files as stored_files

    reads: list[str] = []
    read = stored_files.read_stored_letter

    def counted(services, key):
        reads.append(key)
        return read(services, key)

    monkeypatch.setattr(stored_files, "read_stored_letter", counted)
    return reads


def _kept_reading(services, attachment_id: str) -> dict | None:
    from entryfiling.db.models import Attachment

    with services.uow() as uow:
        return uow.session.get_one(Attachment, attachment_id).letter_reading


def _keep_reading(services, attachment_id: str, kept: dict | None) -> None:
    from entryfiling.db.models import Attachment

    with services.uow() as uow:
        uow.session.get_one(Attachment, attachment_id).letter_reading = kept
        uow.commit()


def test_the_upload_reads_the_letter_once_and_the_submit_uses_what_it_found(
    enterprise, make_person, services, monkeypatch
):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    signed = signed_letter(enterprise, filing["id"])
    attachment = upload(enterprise, filing["id"], "commitment_letter", signed, "承诺书.pdf")["attachment"]
    kept = _kept_reading(services, attachment["id"])
    assert kept == {"sha256": attachment["sha256"], "reader": 1, "readable": True, "references": [filing["reference"]]}
    reads = _reads_of_the_file(monkeypatch)
    response = enterprise.post(
        f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": attachment["id"]}
    )
    assert response.status_code == 200 and response.json["status"] == "approved", response.json
    assert letter_rule(response.json)["outcome"] == "passed"
    assert reads == []


@pytest.mark.parametrize(
    "kept",
    [
        None,  # uploaded before the upload kept its reading
        {"sha256": "0" * 64, "reader": 1, "readable": True, "references": ["another file's finding"]},
        {"reader": 0, "readable": False, "references": []},  # an older reader's finding (hash filled in below)
    ],
    ids=["none", "other-bytes", "older-reader"],
)
def test_a_finding_not_made_for_these_bytes_by_this_reader_is_not_trusted(
    enterprise, make_person, services, monkeypatch, kept
):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    signed = signed_letter(enterprise, filing["id"])
    attachment = upload(enterprise, filing["id"], "commitment_letter", signed, "承诺书.pdf")["attachment"]
    if kept is not None and "sha256" not in kept:
        kept = {**kept, "sha256": attachment["sha256"]}
    _keep_reading(services, attachment["id"], kept)
    reads = _reads_of_the_file(monkeypatch)
    response = enterprise.post(
        f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": attachment["id"]}
    )
    assert response.status_code == 200 and response.json["status"] == "approved", response.json
    assert letter_rule(response.json)["outcome"] == "passed"
    assert len(reads) == 1


def test_an_attachment_of_a_section_keeps_no_letter_reading(enterprise, services):
    filing = open_first_filing(enterprise)
    uploaded = upload(enterprise, filing["id"], "qualification_certificates", pdf_bytes(), "资质证书.pdf")["attachment"]
    assert _kept_reading(services, uploaded["id"]) is None
