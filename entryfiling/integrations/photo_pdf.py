"""One PDF from phone photos of a signed letter's pages (img2pdf: the photos are embedded, not re-rendered).

img2pdf embeds JPEG data as it is (lossless, small). Two cases are prepared with Pillow first: an
image with an alpha channel, which PDF cannot take as is, is flattened onto white; a photo larger
than an A4 page at 300 dpi is scaled down to it, so a five-page letter stays within the upload
limit while staying legible. The originals' checksums are kept by the caller either way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import img2pdf
from PIL import Image, ImageOps, UnidentifiedImageError

# A4 at 300 dpi: the long side in pixels a page needs to be read and printed as a scan would be.
MAX_LONG_SIDE = 3508
JPEG_QUALITY = 85
A4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))


class UnreadableImage(ValueError):
    """A page that is not a readable JPEG or PNG picture."""


@dataclass(frozen=True)
class PhotoPdf:
    content: bytes
    pages: int


def _prepared(photo: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(photo)) as image:
            image.load()
            needs_alpha_removed = image.mode in ("RGBA", "LA", "P") and (
                image.mode != "P" or "transparency" in image.info
            )
            too_large = max(image.size) > MAX_LONG_SIDE
            rotated = image.getexif().get(0x0112, 1) != 1  # EXIF orientation: phones store portrait pages turned
            if not (needs_alpha_removed or too_large or rotated or image.mode not in ("RGB", "L", "CMYK", "P")):
                return photo
            page = ImageOps.exif_transpose(image).convert("RGBA")
            flat = Image.new("RGB", page.size, "white")
            flat.paste(page, mask=page.getchannel("A"))
            flat.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE))
            out = io.BytesIO()
            flat.save(out, "JPEG", quality=JPEG_QUALITY)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc


def assemble(photos: list[bytes]) -> PhotoPdf:
    """The pages in the order given, each fitted onto an A4 page."""
    prepared = [_prepared(photo) for photo in photos]
    try:
        content = img2pdf.convert(prepared, layout_fun=img2pdf.get_layout_fun(A4))
    except (img2pdf.ImageOpenError, ValueError, OSError) as exc:
        raise UnreadableImage(str(exc)) from exc
    return PhotoPdf(content=content, pages=len(prepared))
