"""The S3 backend against moto's S3 server on loopback: same behaviour as the disk backend."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.config import load_settings
from entryfiling.domain.errors import NotFound, PayloadTooLarge, ValidationFailed
from entryfiling.integrations.object_storage import S3Storage, parse_storage_url
from entryfiling.integrations.storage import FileStorage
from handlers.services import make_storage
from tests.unit.test_storage import FailingStream, TrickleStream

MB = 1024 * 1024


def _storage(s3_bucket: Any, tmp_path: Path, prefix: str = "entryfiling") -> S3Storage:
    settings = load_settings({}, instance_path=tmp_path).with_overrides(**s3_bucket.settings(prefix))
    storage = make_storage(settings)
    assert isinstance(storage, S3Storage)
    return storage


def test_storage_url_chooses_the_object_store_and_disk_stays_the_default(s3_bucket: Any, tmp_path: Path) -> None:
    assert isinstance(make_storage(load_settings({}, instance_path=tmp_path)), FileStorage)
    assert isinstance(_storage(s3_bucket, tmp_path), S3Storage)


@pytest.mark.parametrize("url", ["s3://", "http://bucket/x", "s3://bucket/../x", "s3://bucket/x?y=1", "bucket/x"])
def test_malformed_storage_urls_are_refused(url: str) -> None:
    with pytest.raises((ValueError, ValidationFailed)):
        parse_storage_url(url)


def test_a_streamed_upload_lands_under_its_content_address(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path)
    data = b"%PDF-1.7\n" + b"x" * (3 * MB)

    stored = storage.save(TrickleStream(data, step=50_000), max_bytes=5 * MB, prefix="7/42")

    digest = hashlib.sha256(data).hexdigest()
    assert stored.key == f"7/42/{digest}"
    assert (stored.size, stored.sha256, stored.head) == (len(data), digest, data[:2048])
    assert s3_bucket.object_keys() == [f"entryfiling/7/42/{digest}"]
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"entryfiling/7/42/{digest}")
    assert head["ContentLength"] == len(data)
    with storage.open(stored.key) as handle:
        assert handle.read() == data
        handle.seek(0)  # seekable: the PDF check and ranged downloads need it
        assert handle.read(4) == b"%PDF"


def test_over_the_limit_or_a_broken_upload_stores_nothing(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path)
    with pytest.raises(PayloadTooLarge):
        storage.save(io.BytesIO(b"a" * (MB + 1)), max_bytes=MB, prefix="p")
    with pytest.raises(ConnectionResetError):
        storage.save(FailingStream(), max_bytes=MB, prefix="p")
    assert s3_bucket.object_keys() == []


def test_delete_is_idempotent_and_missing_objects_are_not_found(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path, prefix="")
    stored = storage.save_bytes(b"data", prefix="p")
    assert s3_bucket.object_keys() == [stored.key]

    storage.delete(stored.key)
    storage.delete(stored.key)

    assert s3_bucket.object_keys() == []
    with pytest.raises(NotFound):
        storage.open(stored.key)


def test_an_object_changed_behind_our_back_is_not_served(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path)
    stored = storage.save_bytes(b"the signed letter", prefix="p")
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key=f"entryfiling/{stored.key}", Body=b"tampered")

    with pytest.raises(NotFound):
        storage.open(stored.key)


@pytest.mark.parametrize("key", ["../x", "/abs", "a//b", "a/../../b", ".", "a/.."])
def test_keys_that_could_escape_are_refused(s3_bucket: Any, tmp_path: Path, key: str) -> None:
    storage = _storage(s3_bucket, tmp_path)
    with pytest.raises(ValidationFailed):
        storage.open(key)
    with pytest.raises(ValidationFailed):
        storage.save_bytes(b"x", prefix=key)


def test_writability_probe_leaves_nothing_behind(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path)
    storage.check_writable()
    assert s3_bucket.object_keys() == []


def test_a_missing_bucket_fails_the_writability_probe(s3_bucket: Any, tmp_path: Path) -> None:
    storage = _storage(s3_bucket, tmp_path)
    storage.bucket = "no-such-bucket-here"
    with pytest.raises(Exception, match="NoSuchBucket"):
        storage.check_writable()


_SEGMENT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)
_BUCKET = st.from_regex(r"[a-z0-9][a-z0-9.-]{2,40}[a-z0-9]", fullmatch=True)


@given(bucket=_BUCKET, segments=st.lists(_SEGMENT, max_size=4))
def test_storage_urls_round_trip(bucket: str, segments: list[str]) -> None:
    prefix = "/".join(segments)
    assert parse_storage_url(f"s3://{bucket}/{prefix}") == (bucket, prefix)


@given(st.text(max_size=80))
def test_any_storage_url_is_understood_or_refused_with_a_reason(url: str) -> None:
    try:
        bucket, prefix = parse_storage_url(url)
    except (ValueError, ValidationFailed):
        return
    assert bucket and ".." not in prefix.split("/") and not prefix.startswith("/")
