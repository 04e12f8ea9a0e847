"""/healthz and /readyz: ready only when database, Redis, storage and the CA trust bundle answer."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_healthz_answers_without_asking_anything(make_app):
    client = make_app(redis_url=f"redis://127.0.0.1:{_closed_port()}/0").test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_with_every_part_answering(make_app, redis_url, s3_bucket):
    client = make_app(redis_url=redis_url, **s3_bucket.settings()).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "storage": "ok", "trust_bundle": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_redis_is_only_asked_when_configured(client):
    assert client.get("/readyz").json["checks"] == {"database": "ok", "storage": "ok", "trust_bundle": "ok"}


def test_redis_down_is_named_with_503(make_app):
    client = make_app(redis_url=f"redis://127.0.0.1:{_closed_port()}/0").test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["failing"] == ["redis"]
    assert body["detail"] == "服务未就绪：Redis 不可用"
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"] == "Redis 不可用"


def test_every_failing_part_is_named(make_app, s3_bucket, tmp_path: Path):
    settings: dict[str, Any] = s3_bucket.settings() | {"ca_trust_bundle": tmp_path / "no-such-bundle.pem"}
    app = make_app(redis_url=f"redis://127.0.0.1:{_closed_port()}/0", **settings)
    app.extensions["entryfiling"].storage.bucket = "bucket-that-does-not-exist"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis", "storage", "trust_bundle"]
    assert "附件存储不可写" in response.json["detail"] and "CA 根证书" in response.json["detail"]
