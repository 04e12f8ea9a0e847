"""A corpus of hostile uploads, generated here so that nothing binary is checked in.

Each entry is (name, content, words): ``words`` are what the refusal must say (any one of them)
when the attachment kind accepts the file's claimed type.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tests.factories import image_bytes, pdf_bytes

ACTIVE = ("脚本", "动作", "嵌入文件", "XFA", "富媒体")


def _written(change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(str(value))
    return action


def _set_root(key: str, value: object) -> Callable[[PdfWriter], None]:
    return lambda writer: writer._root_object.__setitem__(NameObject(key), value)


def _annotate(subtype: str, **extra: object) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        annotation = DictionaryObject(
            {NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject(subtype)}
        )
        annotation[NameObject("/Rect")] = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(9)])
        for key, value in extra.items():
            annotation[NameObject(f"/{key}")] = value  # type: ignore[assignment]
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return change


def _document_javascript(writer: PdfWriter) -> None:
    script = _action("/JavaScript", JS="app.alert('x');")
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


def _page_aa(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/URI", URI="http://x.test")})


def raw_pdf(*bodies: bytes, root: int = 1, tail: bytes = b"") -> bytes:
    """A hand-written PDF (objects numbered from 1) with a correct xref table, for what writers refuse to write."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, root, xref)
    return bytes(out) + tail


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def _page(extra: bytes = b"") -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + extra + b" >>"


def _bomb() -> bytes:
    payload = zlib.compress(b"\0" * (100 * 1024 * 1024), 9)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(payload) + payload + b"\nendstream"
    return raw_pdf(_CATALOG, _PAGES, _page(b"/Contents 4 0 R"), stream)


def _encrypted() -> bytes:
    def change(writer: PdfWriter) -> None:
        writer.encrypt("secret", algorithm="AES-128")

    return _written(change)


def _png_bomb() -> bytes:
    """A PNG declaring 30000 × 30000 pixels in a few bytes (Pillow must refuse it before decoding)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def _png_with_script() -> bytes:
    png = image_bytes("PNG")
    text = b"Comment\0<script>alert(1)</script>"
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    return png[:33] + chunk + png[33:]


def corpus() -> list[tuple[str, bytes, tuple[str, ...]]]:
    pdf = pdf_bytes()
    jpeg = image_bytes("JPEG", (64, 48))
    return [
        ("javascript.pdf", _written(_document_javascript), ("JavaScript",)),
        ("open-action.pdf", _written(_set_root("/OpenAction", _action("/URI", URI="http://x.test"))), ("自动执行",)),
        ("launch.pdf", _written(_annotate("/Link", A=_action("/Launch", F="cmd.exe"))), ("启动外部程序",)),
        ("embedded-file.pdf", _written(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00")), ("嵌入文件",)),
        ("page-aa.pdf", _written(_page_aa), ("自动触发",)),
        (
            "xfa.pdf",
            _written(_set_root("/AcroForm", DictionaryObject({NameObject("/XFA"): TextStringObject("<xdp/>")}))),
            ("XFA",),
        ),
        ("richmedia.pdf", _written(_annotate("/RichMedia")), ("富媒体",)),
        (
            "obfuscated-name.pdf",
            raw_pdf(
                b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >>",
                _PAGES,
                _page(),
                b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
            ),
            ("JavaScript", "自动执行"),
        ),
        ("orphan-js.pdf", raw_pdf(_CATALOG, _PAGES, _page(), b"<< /S /JavaScript /JS (app.alert(1)) >>"), ACTIVE),
        ("truncated.pdf", pdf[: len(pdf) // 2], ("不完整",)),
        ("header-only.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n", ("不完整",)),
        ("html-then-pdf.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>\n" + pdf, ("PDF 文件头",)),
        ("pdf-with-html.pdf", pdf.replace(b"%PDF-1.3\n", b"%PDF-1.3\n%<html><script>x</script>\n", 1), ("网页",)),
        ("pdf-then-zip.pdf", pdf + b"PK\x03\x04" + b"\x00" * 200 + b"evil.js", ("%%EOF",)),
        ("jpeg-pdf-polyglot.jpg", jpeg + pdf, ("PDF 文档",)),
        ("deflate-bomb.pdf", _bomb(), ("压缩炸弹",)),
        ("encrypted.pdf", _encrypted(), ("加密",)),
        ("png-bomb.png", _png_bomb(), ("解压炸弹",)),
        ("truncated.jpg", jpeg[: len(jpeg) // 2], ("损坏",)),
        ("png-with-script.png", _png_with_script(), ("网页",)),
        ("text-as.pdf", "这不是 PDF，只是改了扩展名。".encode(), ("只接受",)),
    ]
