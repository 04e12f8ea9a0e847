"""Attachment storage on disk and content sniffing by magic bytes."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain.content_types import LABELS, misplaced_pdf_header, sniff_content_type
from entryfiling.domain.errors import NotFound, PayloadTooLarge, ValidationFailed
from entryfiling.integrations.storage import HEAD_SIZE, FileStorage, StoredFile

MB = 1024 * 1024


class TrickleStream(io.RawIOBase):
    """Returns at most ``step`` bytes per read, like a slow network upload."""

    def __init__(self, data: bytes, step: int = 1000) -> None:
        self._data = data
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._pos : self._pos + n]
        self._pos += len(chunk)
        return chunk


class FailingStream(io.RawIOBase):
    """A client that disconnects half-way through the upload."""

    def __init__(self) -> None:
        self._calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self._calls += 1
        if self._calls > 2:
            raise ConnectionResetError("client went away")
        return b"x" * 1000


def _all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- real file headers -------------------------------------------------------------------------


def _real_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _real_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1 greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def _real_jpeg() -> bytes:
    image = pytest.importorskip("PIL.Image")
    out = io.BytesIO()
    image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


# --- FileStorage -------------------------------------------------------------------------------


def test_save_streams_to_prefix_with_checksum_size_and_head(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "files")
    data = os.urandom(300_000)

    stored = storage.save(TrickleStream(data), max_bytes=5 * MB, prefix="filings/42")

    assert isinstance(stored, StoredFile)
    assert stored.key.startswith("filings/42/")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.head == data[:HEAD_SIZE]
    assert storage.path(stored.key).read_bytes() == data
    with storage.open(stored.key) as handle:
        assert handle.read() == data
    assert _all_files(tmp_path / "files") == [storage.path(stored.key)]  # no temp file left


def test_keys_are_content_addressed(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    first = storage.save_bytes(b"same", prefix="letters")
    second = storage.save_bytes(b"same", prefix="letters")
    other = storage.save_bytes(b"other", prefix="letters")

    assert first.key == second.key == f"letters/{hashlib.sha256(b'same').hexdigest()}"
    assert other.key != first.key


def test_save_bytes_and_small_files_keep_whole_head(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    stored = storage.save_bytes(b"%PDF-1.7 tiny", prefix="letters")

    assert stored.head == b"%PDF-1.7 tiny"
    assert stored.size == 13


def test_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    stored = storage.save(io.BytesIO(b"a" * 4096), max_bytes=4096, prefix="p")

    assert stored.size == 4096


def test_over_the_limit_is_refused_and_nothing_is_left_behind(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)

    with pytest.raises(PayloadTooLarge) as excinfo:
        storage.save(TrickleStream(b"a" * (5 * MB + 1), step=64 * 1024), max_bytes=5 * MB, prefix="p")

    assert "5 MB" in excinfo.value.message
    assert _all_files(tmp_path) == []


def test_fractional_limits_are_shown_readably(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)

    with pytest.raises(PayloadTooLarge) as excinfo:
        storage.save(io.BytesIO(b"a" * MB), max_bytes=MB // 2, prefix="p")

    assert "0.5 MB" in excinfo.value.message


def test_a_broken_upload_leaves_no_temp_file(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)

    with pytest.raises(ConnectionResetError):
        storage.save(FailingStream(), max_bytes=MB, prefix="p")

    assert _all_files(tmp_path) == []


@pytest.mark.parametrize(
    "key",
    [
        "../outside",
        "p/../../outside",
        "p/../p/x",
        "/etc/passwd",
        "p//x",
        "p/./x",
        "p\\..\\x",
        "",
        ".",
        "..",
        "p/.hidden",
        "p/x\x00y",
        "C:/windows",
    ],
)
def test_keys_that_could_escape_the_root_are_refused(tmp_path: Path, key: str) -> None:
    storage = FileStorage(tmp_path / "root")

    with pytest.raises(ValidationFailed):
        storage.path(key)
    with pytest.raises(ValidationFailed):
        storage.open(key)
    with pytest.raises(ValidationFailed):
        storage.delete(key)


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("secret")
    root = tmp_path / "root"
    storage = FileStorage(root)
    (root / "evil").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValidationFailed):
        storage.open("evil/secret")


def test_bad_prefix_is_refused_before_writing(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "root")

    with pytest.raises(ValidationFailed):
        storage.save(io.BytesIO(b"x"), max_bytes=10, prefix="../elsewhere")
    assert _all_files(tmp_path) == []


def test_delete_is_idempotent_and_open_of_missing_is_not_found(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    stored = storage.save_bytes(b"data", prefix="p")

    storage.delete(stored.key)
    storage.delete(stored.key)

    assert not storage.path(stored.key).exists()
    with pytest.raises(NotFound):
        storage.open(stored.key)


# --- sniffing ----------------------------------------------------------------------------------


def test_real_files_are_recognised() -> None:
    assert sniff_content_type(_real_pdf()) == "application/pdf"
    assert sniff_content_type(_real_png()) == "image/png"
    assert sniff_content_type(_real_jpeg()) == "image/jpeg"


def test_a_rendered_commitment_letter_is_a_pdf(tmp_path: Path) -> None:
    from datetime import date

    from entryfiling.domain.commitment_letter import LetterParties
    from entryfiling.integrations.pdf import render_commitment_letter

    parties = LetterParties("某公司", "", "", "", "", "", "首次信息报送", "1", date(2025, 1, 1))
    stored = FileStorage(tmp_path).save_bytes(render_commitment_letter(parties, font_candidates=[]), prefix="letters")

    assert sniff_content_type(stored.head) == "application/pdf"


def test_stored_head_feeds_sniffing(tmp_path: Path) -> None:
    stored = FileStorage(tmp_path).save(io.BytesIO(_real_png() + os.urandom(5000)), max_bytes=MB, prefix="p")

    assert sniff_content_type(stored.head) == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("letter.pdf", "这是一个文本文件，不是 PDF。\n".encode()),
        ("letter.pdf", b"<!DOCTYPE html><html><body>%PDF</body></html>"),
        ("scan.jpg", b"GIF89a\x01\x00\x01\x00"),
        ("scan.png", b"\x89PNG\r\n"),  # truncated signature
        ("scan.jpeg", b"\xff\xd8"),  # truncated marker
        ("letter.pdf", b"PK\x03\x04 a docx renamed"),
        ("empty.pdf", b""),
    ],
)
def test_disguised_files_are_not_recognised(name: str, content: bytes) -> None:
    assert sniff_content_type(content) is None, name


def test_content_wins_over_the_name() -> None:
    # A PNG uploaded as "scan.jpg" is a PNG.
    assert sniff_content_type(_real_png()) == "image/png"


def test_a_pdf_header_after_anything_is_not_a_pdf_but_is_noticed() -> None:
    for junk in (b"\r\n", b" " * 1000, b"<html><body>"):
        assert sniff_content_type(junk + b"%PDF-1.4\n") is None
        assert misplaced_pdf_header(junk + b"%PDF-1.4\n")
    assert not misplaced_pdf_header(b"%PDF-1.4\n")


def test_labels_cover_every_sniffed_type() -> None:
    assert LABELS == {"application/pdf": "PDF 文档", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片"}


@given(st.binary(max_size=4096))
def test_sniffing_never_raises(data: bytes) -> None:
    assert sniff_content_type(data) in {None, *LABELS}


@given(st.binary(max_size=2048))
def test_magic_prefixes_decide(tail: bytes) -> None:
    assert sniff_content_type(b"\x89PNG\r\n\x1a\n" + tail) == "image/png"
    assert sniff_content_type(b"\xff\xd8\xff" + tail) == "image/jpeg"
    assert sniff_content_type(b"%PDF-" + tail) == "application/pdf"
