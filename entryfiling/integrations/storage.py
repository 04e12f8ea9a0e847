"""Attachment files: one interface (``AttachmentStorage``), two implementations chosen in one place.

``handlers.services.make_storage`` picks the backend from the settings: the local filesystem (``STORAGE_DIR``, the
embedded default) or an S3-compatible object store (``STORAGE_URL=s3://bucket/prefix``, see
``entryfiling.integrations.object_storage``). Both store a file under a content-addressed key,
``<prefix>/<sha256>``, so the same upload retried lands on the same key and a read can be checked
against its name.

On disk, uploads are streamed to a temporary file inside the storage root, fsynced and atomically
renamed, so a crash or an oversized upload never leaves a half-written attachment under a real
key, and a file is never held in memory whole. Keys are re-validated on every access so a key read
back from anywhere cannot reach outside the root.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from entryfiling import messages as msg
from entryfiling.domain.errors import NotFound, PayloadTooLarge, ValidationFailed

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 2048
_TEMP_PREFIX = ".upload-"
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class StoredFile:
    """What the caller records about a saved file; ``head`` feeds content sniffing."""

    key: str
    size: int
    sha256: str
    head: bytes  # the first 2048 bytes


def format_megabytes(max_bytes: int) -> str:
    """The limit as users think of it (5, 0.5, 2.5 MB)."""
    mb = max_bytes / (1024 * 1024)
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.2f}".rstrip("0").rstrip(".")


class AttachmentStorage(Protocol):
    """What the use cases need from attachment storage, whichever backend holds the bytes."""

    def save(self, stream: BinaryIO, *, max_bytes: int, prefix: str) -> StoredFile: ...

    def save_bytes(self, data: bytes, *, prefix: str) -> StoredFile: ...

    def open(self, key: str) -> BinaryIO:
        """A seekable, readable file with the stored bytes; the caller closes it."""
        ...

    def delete(self, key: str) -> None: ...

    def check_writable(self) -> None:
        """Write and remove a probe; raises when the backend cannot store files (readiness)."""
        ...


@dataclass(frozen=True)
class Copied:
    size: int
    sha256: bytes  # the raw digest (the object store wants it base64-encoded)
    head: bytes

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()


def copy_bounded(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> Copied:
    """Copy an upload in chunks, hashing it and keeping its first bytes; more than ``max_bytes``
    stops the copy (both backends write where nothing refers to it yet)."""
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(msg.ATTACHMENT_TOO_LARGE.format(limit_mb=format_megabytes(max_bytes)))
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        digest.update(chunk)
        out.write(chunk)
    return Copied(size, digest.digest(), bytes(head))


def content_key(prefix: str, sha256: str) -> str:
    """The content-addressed key of a file: its prefix and the hex SHA-256 of its bytes."""
    return f"{prefix}/{sha256}"


def check_key(key: str) -> list[str]:
    """Split a key into safe path segments or refuse it (no ``..``, absolute paths, odd bytes)."""
    if not isinstance(key, str) or not key or len(key) > 1024:
        raise ValidationFailed(msg.ATTACHMENT_KEY_INVALID)
    segments = key.split("/")
    for segment in segments:
        if not _SEGMENT.match(segment) or segment.strip(".") == "":
            raise ValidationFailed(msg.ATTACHMENT_KEY_INVALID)
    return segments


class FileStorage:
    """Attachments under one root directory, addressed by opaque keys."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file behind ``key``; refuses keys that would resolve outside the root."""
        candidate = self.root.joinpath(*check_key(key)).resolve()
        if not candidate.is_relative_to(self.root) or candidate == self.root:
            raise ValidationFailed(msg.ATTACHMENT_KEY_INVALID)
        return candidate

    def save(self, stream: BinaryIO, *, max_bytes: int, prefix: str) -> StoredFile:
        """Stream ``stream`` to disk under ``prefix``; refuse more than ``max_bytes`` bytes.

        The size is enforced while reading, so a lying ``Content-Length`` or an endless stream
        cannot fill the disk.
        """
        check_key(prefix)
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
        temp_path = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                copied = copy_bounded(stream, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            key = content_key(prefix, copied.sha256_hex)
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_path, target)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        return StoredFile(key=key, size=copied.size, sha256=copied.sha256_hex, head=copied.head)

    def save_bytes(self, data: bytes, *, prefix: str) -> StoredFile:
        """Save an in-memory document (e.g. a rendered PDF) the same safe way as an upload."""
        return self.save(io.BytesIO(data), max_bytes=len(data), prefix=prefix)

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading; the caller closes it."""
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(msg.STORED_FILE_MISSING) from None

    def delete(self, key: str) -> None:
        """Remove a stored file; deleting one that is already gone is not an error."""
        path = self.path(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()

    def check_writable(self) -> None:
        probe = self.root / f"{_TEMP_PREFIX}readyz-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not every platform lets a directory be opened, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
