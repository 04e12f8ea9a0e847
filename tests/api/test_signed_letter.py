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
