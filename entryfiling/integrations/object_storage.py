"""Attachment files in an S3-compatible object store (``STORAGE_URL=s3://bucket/prefix``), via boto3.

Works with AWS S3, MinIO and the cloud object stores that speak the S3 API (``S3_ENDPOINT_URL``,
``S3_REGION``, ``S3_ADDRESSING_STYLE``); credentials come from boto3's usual chain
(``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a profile or the machine's role), never from
our settings, so no secret is ever part of a URL or a log line.

An upload is read in chunks into a spooled temporary file (memory up to ``SPOOL_BYTES``, disk
beyond) while its size limit is enforced and its SHA-256 computed: the content-addressed key is
only known after the last byte, and the object store verifies the same SHA-256 on the PUT
(``ChecksumSHA256``), so a file that arrives damaged is refused by the store, not kept. Reads are
verified against the key's digest as well. Downloads still go through the application (its
authorization decides), never through public or presigned URLs.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import tempfile
import uuid
from typing import IO, Any, BinaryIO, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from entryfiling import messages as msg
from entryfiling.config import Settings
from entryfiling.domain.errors import NotFound
from entryfiling.integrations.storage import (
    CHUNK_SIZE,
    StoredFile,
    check_key,
    content_key,
    copy_bounded,
)

log = logging.getLogger(__name__)

SPOOL_BYTES = 1024 * 1024


def parse_storage_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix")``; refuses anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    if prefix:
        check_key(prefix)
    return parts.netloc, prefix


class S3Storage:
    """Attachments as objects ``<prefix>/<enterprise>/<filing>/<sha256>`` in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        bucket, prefix = parse_storage_url(settings.storage_url or "")
        style = settings.s3_addressing_style or ("path" if settings.s3_endpoint_url else "auto")
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=Config(
                s3={"addressing_style": style},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=3,
                read_timeout=30,
            ),
        )
        return cls(client, bucket, prefix)

    def _object_name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def save(self, stream: BinaryIO, *, max_bytes: int, prefix: str) -> StoredFile:
        check_key(prefix)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            copied = copy_bounded(stream, cast(BinaryIO, spool), max_bytes)
            spool.seek(0)
            key = content_key(prefix, copied.sha256_hex)
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._object_name(key),
                Body=spool,
                ContentLength=copied.size,
                ChecksumSHA256=base64.b64encode(copied.sha256).decode(),
                ContentType="application/octet-stream",
            )
        return StoredFile(key=key, size=copied.size, sha256=copied.sha256_hex, head=copied.head)

    def save_bytes(self, data: bytes, *, prefix: str) -> StoredFile:
        return self.save(io.BytesIO(data), max_bytes=len(data), prefix=prefix)

    def open(self, key: str) -> BinaryIO:
        """The object copied into a temporary file (seekable, so PDF checks and ranges work)."""
        name = self._object_name(key)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                raise NotFound(msg.STORED_FILE_MISSING) from None
            raise
        digest = hashlib.sha256()
        copy = cast(IO[bytes], tempfile.TemporaryFile())  # noqa: SIM115 - handed to the caller, who closes it
        try:
            for chunk in body.iter_chunks(CHUNK_SIZE):
                digest.update(chunk)
                copy.write(chunk)
        except BaseException:
            copy.close()
            raise
        finally:
            body.close()
        expected = key.rsplit("/", 1)[-1]
        if len(expected) == 64 and digest.hexdigest() != expected:
            copy.close()
            log.error("stored object does not match its content address", extra={"storage_key": key})
            raise NotFound(msg.STORED_FILE_MISSING)
        copy.seek(0)
        return cast(BinaryIO, copy)

    def delete(self, key: str) -> None:
        """Deleting an object that is already gone is not an error (S3 semantics agree)."""
        self.client.delete_object(Bucket=self.bucket, Key=self._object_name(key))

    def check_writable(self) -> None:
        probe = self._object_name(f"readyz/{uuid.uuid4().hex}")
        self.client.put_object(Bucket=self.bucket, Key=probe, Body=b"ok")
        self.client.delete_object(Bucket=self.bucket, Key=probe)
