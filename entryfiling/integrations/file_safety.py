"""Hostile uploads are refused before anyone opens them: the files are served to regulators.

Every attachment is checked by what it is, not by what it claims:

* the type is the signature at the very start (``domain.content_types``); a ``%PDF-`` further
  down, or a second format inside (HTML, script, a PDF inside an image, data after ``%%EOF``),
  is a polyglot and refused;
* a PDF must parse completely with pypdf, every object and every stream decoded, within a time
  and decompressed-size budget (a deflate bomb is refused, not expanded), not be encrypted, and
  hold no active or embedded content (JavaScript, automatic actions, launch actions, embedded
  files, XFA forms, rich media);
* an image must decode completely with Pillow under its decompression-bomb guard, and is
  re-encoded without EXIF or text metadata (phone photos carry GPS positions: PIPL), upright.

Each refusal is a ``ValidationFailed`` on ``file`` whose Chinese text names the problem.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from entryfiling import messages as msg
from entryfiling.domain.content_types import JPEG, LABELS, PDF, PNG, misplaced_pdf_header, sniff_content_type
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.fields import AttachmentKind
from entryfiling.integrations.storage import AttachmentStorage, StoredFile

#: Names whose presence anywhere in a PDF (as a key or a value) means active or embedded content.
ACTIVE_PDF_NAMES: dict[str, str] = {
    "/JS": "JavaScript 脚本",
    "/JavaScript": "JavaScript 脚本",
    "/AA": "自动触发动作",
    "/OpenAction": "打开时自动执行的动作",
    "/Launch": "启动外部程序的动作",
    "/EmbeddedFile": "嵌入文件",
    "/EmbeddedFiles": "嵌入文件",
    "/XFA": "XFA 动态表单",
    "/RichMedia": "富媒体（Flash/视频）",
}

#: Budgets of one PDF check. A 5 MB scan decodes to far less; a bomb hits these and stops.
PDF_MAX_SECONDS = 10.0
PDF_MAX_OBJECTS = 200_000
PDF_MAX_STREAM_BYTES = 64 * 1024 * 1024
PDF_MAX_TOTAL_BYTES = 256 * 1024 * 1024
JPEG_QUALITY = 90

# Another format's text inside the file. Case-insensitive; plain in the raw bytes (compressed
# PDF streams and image data are high-entropy and do not spell these by chance).
_FOREIGN_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|script[\s>]|iframe[\s>]|svg[\s>]|\?php)", re.I)
_EOF_MARKER = b"%%EOF"
_PDF_TAIL_SLACK = 64  # readers and writers leave a few bytes (newlines, NULs) after %%EOF


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: its proven type and, for images, the clean re-encoding to store instead."""

    content_type: str
    reencoded: bytes | None = None


def check_upload(stream: BinaryIO, label: str, allowed: tuple[str, ...]) -> CheckedFile:
    """Check a stored upload (read whole: uploads are bounded by their kind's size limit) for an
    attachment kind called ``label``; the stream comes from any storage backend."""
    return check_bytes(stream.read(), label, allowed)


def check_bytes(data: bytes, label: str, allowed: tuple[str, ...]) -> CheckedFile:
    content_type = sniff_content_type(data)
    if content_type is None and misplaced_pdf_header(data):
        raise _refused(msg.FILE_PDF_HEADER_MISPLACED, label)
    if content_type not in allowed:
        raise _refused(
            msg.ATTACHMENT_TYPE_REFUSED.format(label=label, allowed="、".join(LABELS[t] for t in allowed)), None
        )
    if content_type == PDF:
        _check_pdf(data, label)
        return CheckedFile(PDF)
    return CheckedFile(content_type, _reencode_image(data, content_type, label))


def _refused(template: str, label: str | None, **values: Any) -> ValidationFailed:
    text = template.format(label=label, **values) if label is not None else template
    return ValidationFailed.on("file", text)


# ---------------------------------------------------------------------------- PDF


def _check_pdf(data: bytes, label: str) -> None:
    markup = _FOREIGN_MARKUP.search(data)
    if markup:
        raise _refused(msg.FILE_POLYGLOT, label, other=_markup_name(markup.group()))
    end = data.rfind(_EOF_MARKER)
    if end < 0:
        raise _refused(msg.FILE_PDF_TRUNCATED, label)
    if len(data[end + len(_EOF_MARKER) :].strip(b"\r\n\t \x00")) > _PDF_TAIL_SLACK:
        raise _refused(msg.FILE_PDF_TRAILING_DATA, label)
    found = _inspect_pdf_objects(data, label)
    if found:
        raise _refused(msg.FILE_PDF_ACTIVE_CONTENT, label, found="、".join(sorted(set(found))))


def _markup_name(marker: bytes) -> str:
    text = marker.decode("ascii", "replace").lower()
    return "PHP 脚本" if "php" in text else "网页（HTML/脚本）"


def _inspect_pdf_objects(data: bytes, label: str) -> list[str]:
    """Parse every object and decode every stream; return the active content found."""
    deadline = time.monotonic() + PDF_MAX_SECONDS
    budget = _Budget(PDF_MAX_TOTAL_BYTES)
    found: list[str] = []
    try:
        with apply_configuration(
            zlib_maximum_output_length=PDF_MAX_STREAM_BYTES,
            lzw_maximum_output_length=PDF_MAX_STREAM_BYTES,
            run_length_maximum_output_length=PDF_MAX_STREAM_BYTES,
            jbig2_maximum_output_length=PDF_MAX_STREAM_BYTES,
            brotli_maximum_output_length=PDF_MAX_STREAM_BYTES,
            array_based_stream_maximum_output_length=PDF_MAX_STREAM_BYTES,
            stream_decoding_work_maximum_length=PDF_MAX_STREAM_BYTES * 2,
            image_maximum_buffer_size=PDF_MAX_STREAM_BYTES,
        ):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refused(msg.FILE_PDF_ENCRYPTED, label)
            if len(reader.pages) < 1:
                raise _refused(msg.FILE_PDF_TRUNCATED, label)
            found.extend(_names_in(reader.trailer, budget, deadline))
            objects = [(n, g) for g, table in reader.xref.items() for n in table]
            objects += [(n, 0) for n in reader.xref_objStm]
            if len(objects) > PDF_MAX_OBJECTS:
                raise _refused(msg.FILE_PDF_TOO_COMPLEX, label)
            for number, generation in objects:
                obj = IndirectObject(number, generation, reader).get_object()
                if obj is not None:
                    found.extend(_names_in(obj, budget, deadline))
    except ValidationFailed:
        raise
    except (_BombError, LimitReachedError):
        raise _refused(msg.FILE_PDF_BOMB, label) from None
    except _TooSlow:
        raise _refused(msg.FILE_PDF_TOO_COMPLEX, label) from None
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise _refused(msg.FILE_PDF_TRUNCATED, label) from None
    return found


class _BombError(Exception):
    pass


class _TooSlow(Exception):
    pass


@dataclass
class _Budget:
    remaining: int

    def spend(self, size: int) -> None:
        self.remaining -= size
        if self.remaining < 0:
            raise _BombError


def _names_in(root: Any, budget: _Budget, deadline: float) -> Iterator[str]:
    """Active-content names in one object and its direct children (references are visited on their own)."""
    stack = [root]
    while stack:
        if time.monotonic() > deadline:
            raise _TooSlow
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            continue
        if isinstance(obj, NameObject):
            if str(obj) in ACTIVE_PDF_NAMES:
                yield ACTIVE_PDF_NAMES[str(obj)]
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if str(key) in ACTIVE_PDF_NAMES:
                    yield ACTIVE_PDF_NAMES[str(key)]
                stack.append(value)
            if isinstance(obj, StreamObject):
                budget.spend(len(obj.get_data()))
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


# ---------------------------------------------------------------------------- images


def _reencode_image(data: bytes, content_type: str, label: str) -> bytes:
    if b"%PDF-" in data:
        raise _refused(msg.FILE_POLYGLOT, label, other="PDF 文档")
    markup = _FOREIGN_MARKUP.search(data)
    if markup:
        raise _refused(msg.FILE_POLYGLOT, label, other=_markup_name(markup.group()))
    pil_format = {JPEG: "JPEG", PNG: "PNG"}[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=[pil_format]) as probe:
            # Pillow's bomb guard raises beyond twice MAX_IMAGE_PIXELS and only warns below that;
            # the warning band is refused here too, before a single pixel is decoded.
            if probe.width * probe.height > (Image.MAX_IMAGE_PIXELS or 0):
                raise Image.DecompressionBombError(label)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            image.load()
            return _encode(ImageOps.exif_transpose(image), pil_format)
    except Image.DecompressionBombError:
        raise _refused(msg.FILE_IMAGE_BOMB, label) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise _refused(msg.FILE_IMAGE_BROKEN, label) from None


def _encode(image: Any, pil_format: str) -> bytes:
    """Pixels only: no EXIF, no text chunks, no comments; the colour profile stays (it is not personal)."""
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if pil_format == "JPEG":
        if image.mode not in {"RGB", "L", "CMYK"}:
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, **options)
    else:
        image.save(out, format="PNG", optimize=True, **options)
    return out.getvalue()


@dataclass(frozen=True)
class CheckedUpload:
    stored: StoredFile  # what to record: the upload, or its clean re-encoding
    content_type: str
    # The raw upload's key when a re-encoding replaced it: the caller releases it (another
    # attachment may share a content-addressed key, which only the caller can know).
    replaced_key: str | None = None


def store_checked_upload(storage: AttachmentStorage, stored: StoredFile, kind: AttachmentKind) -> CheckedUpload:
    """Check a just-stored upload of an attachment kind; an image is stored again as its clean
    re-encoding. Raises (leaving the upload for the caller to release) when the file is refused."""
    with storage.open(stored.key) as stream:
        checked = check_upload(stream, kind.label, tuple(kind.content_types))
    if checked.reencoded is None:
        return CheckedUpload(stored, checked.content_type)
    clean = storage.save_bytes(checked.reencoded, prefix=stored.key.rsplit("/", 1)[0])
    return CheckedUpload(clean, checked.content_type, replaced_key=stored.key if clean.key != stored.key else None)
