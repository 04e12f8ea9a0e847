"""Which filing a signed letter names: the document information first, then the text, then the QR code."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader, PdfWriter

from entryfiling.domain.commitment_letter import LetterParties
from entryfiling.integrations.letter_reading import read_letter_references
from entryfiling.integrations.pdf import render_commitment_letter

REFERENCE = "JJ20261202000123"


def _letter() -> bytes:
    parties = LetterParties(
        "合肥德拓建设工程有限公司",
        "91340100MA2N0DT108",
        "李德拓",
        "340104197001011234",
        "张建国",
        "340104198001011234",
        "首次信息报送",
        REFERENCE,
        date(2026, 12, 2),
    )
    return render_commitment_letter(parties)


def _rewritten(letter: bytes, subject: str | None) -> bytes:
    """The letter as a tool saving it again writes it: same pages, this document information."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter)))
    writer.metadata = None
    if subject is not None:
        writer.add_metadata({"/Subject": subject})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_our_letter_names_its_filing_in_its_document_information():
    assert REFERENCE in str(PdfReader(io.BytesIO(_letter())).metadata["/Subject"])
    assert read_letter_references(io.BytesIO(_letter())).references == (REFERENCE,)


def test_the_document_information_is_what_is_read_when_it_names_a_filing():
    other = "JJ20261130000007"
    reading = read_letter_references(io.BytesIO(_rewritten(_letter(), f"首次信息报送 {other}")))
    assert reading.readable and reading.references == (other,)


def test_without_document_information_the_text_still_names_the_filing():
    reading = read_letter_references(io.BytesIO(_rewritten(_letter(), None)))
    assert reading.readable and reading.references == (REFERENCE,)


def test_a_pdf_without_pages_is_not_readable():
    writer, out = PdfWriter(), io.BytesIO()
    writer.write(out)
    assert not read_letter_references(io.BytesIO(out.getvalue())).readable
