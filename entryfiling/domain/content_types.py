"""Attachment types decided by content (magic bytes), never by file name or client header.

A renamed text file must not pass as the signed commitment letter, and a real PDF must not be
refused because the phone called it ``application/octet-stream``. The signature must stand at
the very start of the file: readers tolerate junk before ``%PDF-``, and that tolerance is how an
HTML page or an image "is also" a PDF (polyglots). The deep checks (a complete parse, no active
content, a clean re-encode of images) are in ``entryfiling.integrations.file_safety``.
"""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

LABELS: dict[str, str] = {PDF: "PDF 文档", JPEG: "JPEG 图片", PNG: "PNG 图片"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_MARKER = b"%PDF-"

#: How many leading bytes :func:`sniff_content_type` and :func:`misplaced_pdf_header` look at.
SNIFF_BYTES = 1024


def sniff_content_type(head: bytes) -> str | None:
    """The MIME type the leading bytes prove, or ``None`` when they prove nothing we accept."""
    data = bytes(head[:SNIFF_BYTES])
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(_JPEG_SIGNATURE):
        return JPEG
    if data.startswith(PDF_MARKER):
        return PDF
    return None


def misplaced_pdf_header(head: bytes) -> bool:
    """A ``%PDF-`` header that is not at the start: a disguised file some readers would open as PDF."""
    data = bytes(head[:SNIFF_BYTES])
    return not data.startswith(PDF_MARKER) and PDF_MARKER in data
