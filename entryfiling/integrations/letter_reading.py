"""Which filing a signed commitment letter names: the reference in its text layer, or in a QR code.

The letter we print names its filing in its document information (``/Subject``) as well as in its
text: a letter signed with a PDF tool keeps both, and the document information is read in well
under a millisecond, where extracting the text of a page set in an embedded CJK font takes pypdf
tens of milliseconds (it was the larger part of a submit's time). So the text is read only when
the document information names no filing (a letter printed and saved again by a browser keeps its
text layer, not our information). A scan of the signed paper is a PDF of page images: there the
reference is read from the letter's QR code with zbar (pyzbar over Debian's libzbar0), the
well-kept decoder most Linux systems ship.

The finding is made once, when the letter is uploaded, and kept with the attachment under the
stored file's content hash and the reader's version (``kept_reading``): the submit, and a submit
again after a refusal, use it instead of parsing the PDF once more, as long as it names those exact
bytes and this reader (``reading_kept``); otherwise the file is read as before.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pyzbar.pyzbar import decode

from entryfiling.domain.filing import REFERENCE_PATTERN

# A scan rarely has more than a few pages; reading stops there so a huge upload cannot keep us busy.
MAX_PAGES = 10
_REFERENCE = re.compile(REFERENCE_PATTERN)


#: What is read from a letter and how: bumped whenever that changes (a new place the reference is
#: looked for, another decoder), so a finding kept by an older reader is not trusted and the file is
#: read again.
READER = 1


@dataclass(frozen=True)
class LetterReading:
    readable: bool
    references: tuple[str, ...] = ()


def kept_reading(reading: LetterReading, sha256: str) -> dict[str, Any]:
    """The finding as kept with the attachment: of the file with this content hash, by this reader."""
    return {"sha256": sha256, "reader": READER, "readable": reading.readable, "references": list(reading.references)}


def reading_kept(kept: Mapping[str, Any] | None, sha256: str) -> LetterReading | None:
    """The finding kept for exactly these bytes (content hash) by this reader; None: read the file."""
    if not kept or kept.get("sha256") != sha256 or kept.get("reader") != READER:
        return None
    references = kept.get("references")
    if not isinstance(kept.get("readable"), bool) or not isinstance(references, list):
        return None
    return LetterReading(readable=kept["readable"], references=tuple(str(r) for r in references))


def read_letter_references(stream: BinaryIO) -> LetterReading:
    """Readable: a PDF reader opens it and finds a page; references: the filings it names."""
    try:
        reader = PdfReader(stream, strict=False)
        pages = list(reader.pages)[:MAX_PAGES]
        if not pages:
            return LetterReading(readable=False)
        subject = reader.metadata.get("/Subject") if reader.metadata is not None else None
        found: list[str] = _REFERENCE.findall(str(subject or ""))
        for page in pages if not found else ():
            found += _REFERENCE.findall(page.extract_text() or "")
        if not found:
            for page in pages:
                for image in page.images:
                    found += _decoded_references(image.data)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return LetterReading(readable=False)
    return LetterReading(readable=True, references=tuple(dict.fromkeys(found)))


def _decoded_references(image_bytes: bytes) -> list[str]:
    try:
        with Image.open(io.BytesIO(image_bytes)) as image:
            symbols = decode(image.convert("L"))
    except (OSError, ValueError):
        return []
    return [ref for symbol in symbols for ref in _REFERENCE.findall(symbol.data.decode("utf-8", "replace"))]
