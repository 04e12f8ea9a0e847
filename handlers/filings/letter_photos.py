"""The signed 承诺书 as phone photos of its pages: assembled into the one PDF the submission needs.

A clerk often has no scanner: photos of the signed and stamped pages (JPEG or PNG) are checked by
content like any upload, assembled in the order given (img2pdf), and stored as the commitment
letter attachment; each original's name, type, size and SHA-256 stay with it, so what was
photographed can be proven later.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import IO, Any

from entryfiling import messages as msg
from entryfiling.domain.businesses import COMMITMENT_LETTER
from entryfiling.domain.content_types import JPEG, PNG, sniff_content_type
from entryfiling.domain.errors import PayloadTooLarge, ValidationFailed
from entryfiling.integrations import photo_pdf
from handlers.filings.attachments import upload_attachment
from handlers.filings.views import FilingView
from handlers.services import Actor, Services

SIGNED_LETTER_KIND = COMMITMENT_LETTER.key
MAX_PAGES = 10
MAX_PAGE_BYTES = 15 * 1024 * 1024
ASSEMBLED_NAME = "企业诚信守法承诺书（照片合成）.pdf"


def upload_letter_photos(
    services: Services, actor: Actor, filing_id: int, pages: Sequence[tuple[str, IO[bytes]]]
) -> FilingView:
    """Check every page, assemble them into one PDF and store it as the signed letter."""
    if not pages:
        raise ValidationFailed.on("file", msg.LETTER_PHOTOS_NONE)
    if len(pages) > MAX_PAGES:
        raise ValidationFailed.on("file", msg.LETTER_PHOTOS_TOO_MANY.format(limit=MAX_PAGES))
    originals: list[dict[str, Any]] = []
    contents: list[bytes] = []
    for number, (filename, stream) in enumerate(pages, 1):
        data = stream.read(MAX_PAGE_BYTES + 1)
        if len(data) > MAX_PAGE_BYTES:
            text = msg.LETTER_PHOTO_TOO_LARGE.format(page=number, limit_mb=MAX_PAGE_BYTES // (1024 * 1024))
            raise PayloadTooLarge(text, errors={"file": text})
        content_type = sniff_content_type(data)
        if content_type not in (JPEG, PNG):
            raise ValidationFailed.on("file", msg.LETTER_PHOTO_TYPE.format(page=number))
        originals.append(
            {
                "page": number,
                "filename": (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200],
                "content_type": content_type,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        contents.append(data)
    try:
        assembled = photo_pdf.assemble(contents)
    except photo_pdf.UnreadableImage:
        raise ValidationFailed.on("file", msg.LETTER_PHOTOS_UNREADABLE) from None
    return upload_attachment(
        services,
        actor,
        filing_id,
        SIGNED_LETTER_KIND,
        ASSEMBLED_NAME,
        io.BytesIO(assembled.content),
        source_pages=originals,
    )
