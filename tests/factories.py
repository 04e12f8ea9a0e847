"""Small builders of valid data for tests: identifiers with real check characters, files."""

from __future__ import annotations

import io
import itertools

from stdnum.cn import ric, uscc

_counter = itertools.count(1)


def make_uscc(seq: int | None = None) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015) distinct per call."""
    n = next(_counter) if seq is None else seq
    body = f"91350100M{n:08d}"
    return body + uscc.calc_check_digit(body)


def make_id_number(birth: str = "19850312", seq: int | None = None) -> str:
    """A valid 18-digit 居民身份证号 (GB 11643) distinct per call."""
    n = next(_counter) if seq is None else seq
    body = f"650102{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(pil_format: str = "PNG", size: tuple[int, int] = (16, 12), **save: object) -> bytes:
    """A real, decodable image (uploads are decoded and re-encoded, so a bare signature is not enough)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=pil_format, **save)
    return buffer.getvalue()


PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG")
