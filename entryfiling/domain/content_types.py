"""Attachment types decided by content (magic bytes), never by file name or client header.

A renamed text file must not pass as the signed commitment letter, and a real PDF must not be
refused because the phone called it ``application/octet-stream``.
"""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

LABELS: dict[str, str] = {PDF: "PDF 文档", JPEG: "JPEG 图片", PNG: "PNG 图片"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_PDF_MARKER = b"%PDF-"
#: Readers (Acrobat, pdf.js, poppler) accept junk before the header within the first KiB.
PDF_HEADER_WINDOW = 1024

#: How many leading bytes :func:`sniff_content_type` needs.
SNIFF_BYTES = PDF_HEADER_WINDOW


def sniff_content_type(head: bytes) -> str | None:
    """The MIME type the leading bytes prove, or ``None`` when they prove nothing we accept."""
    data = bytes(head[:PDF_HEADER_WINDOW])
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(_JPEG_SIGNATURE):
        return JPEG
    if _PDF_MARKER in data:
        return PDF
    return None
