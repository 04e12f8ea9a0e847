"""Fixtures: a real database (SQLite by default, PostgreSQL when DATABASE_URL points to one), a dev
CA with enterprise certificates, logged-in enterprise clients, and persons built through handlers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import text

from devkit.dev_ca import create_dev_ca, issue_enterprise_certificate, sign_nonce
from devkit.emulators.registry import RegistryStandIn
from entryfiling.app import create_app
from entryfiling.config import load_settings
from entryfiling.db.models import Base
from entryfiling.db.session import make_engine, upgrade_database
from handlers import persons
from handlers.services import Services
from tests.factories import make_id_number, make_uscc
from tests.own_redis import own_redis  # noqa: F401  (a fixture of every test that runs its own Redis)

# No timed assertions: hypothesis's per-example deadline (200 ms) fails a correct test on a busy
# machine (a date parse took 353 ms while two suites and a benchmark shared two cores).
settings.register_profile("entryfiling", deadline=None)
settings.load_profile("entryfiling")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrated once per run; tables are emptied between tests."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def dev_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dev-ca")
    create_dev_ca(directory)
    return directory


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def registry() -> Iterator[RegistryStandIn]:
    """The national registry's stand-in on loopback: approval cross-checks every filing against it."""
    stand_in = RegistryStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def settings(instance_path: Path, database_url: str, dev_ca: Path, tmp_path: Path, registry: RegistryStandIn) -> Any:
    env = {
        "DATABASE_URL": database_url,
        "STORAGE_DIR": str(tmp_path / "attachments"),
        "CA_TRUST_BUNDLE": str(dev_ca / "ca.pem"),
        # Tests read the register right after approvals; the brief cache has its own test.
        "PUBLIC_CACHE_SECONDS": "0",
        # Tests change the registry stand-in's records between submits; reused answers have their own tests.
        "REGISTRY_CACHE_SECONDS": "0",
        "REGISTRY_API_BASE_URL": registry.url,
        "REGISTRY_RETRIES": "1",
        "REGISTRY_TIMEOUT_SECONDS": "2",
    }
    return load_settings(env, instance_path=instance_path).with_overrides(registry_backoff_seconds=0.01)


@pytest.fixture
def make_app(settings: Any) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(settings, **overrides)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield build
    if apps:
        _empty_tables(apps[0].extensions["entryfiling"])
    for app in apps:
        app.extensions["entryfiling"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


def _empty_tables(services: Services) -> None:
    with services.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def services(app: Flask) -> Services:
    return app.extensions["entryfiling"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class BearerClient:
    """The test client acting with one bearer token, as a logged-in app would."""

    client: FlaskClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _call(self, method: str, url: str, **kw: Any) -> Any:
        return getattr(self.client, method)(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self._call("get", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self._call("post", url, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self._call("put", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self._call("delete", url, **kw)


@dataclass
class EnterpriseLogin(BearerClient):
    """A logged-in enterprise: its client, id and certificate files."""

    name: str = ""
    uscc: str = ""
    id: int = 0
    cert_path: Path = Path()
    key_path: Path = Path()


def certificate_login(client: FlaskClient, cert_path: Path, key_path: Path) -> Any:
    nonce = client.post("/api/v1/auth/challenge").json["nonce"]
    return client.post(
        "/api/v1/auth/login",
        json={"certificate": cert_path.read_text(), "nonce": nonce, "signature": sign_nonce(key_path, nonce)},
    )


@pytest.fixture
def issue_certificate(dev_ca: Path, tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    def issue(name: str = "安徽德拓建设工程有限公司", uscc: str | None = None, **kw: Any) -> tuple[Path, Path]:
        return issue_enterprise_certificate(
            dev_ca, tmp_path / "certs", enterprise_name=name, uscc=uscc or make_uscc(), **kw
        )

    return issue


@pytest.fixture
def login_enterprise(
    client: FlaskClient, issue_certificate: Callable[..., tuple[Path, Path]]
) -> Callable[..., EnterpriseLogin]:
    def login(name: str = "安徽德拓建设工程有限公司", uscc: str | None = None) -> EnterpriseLogin:
        uscc = uscc or make_uscc()
        cert, key = issue_certificate(name, uscc)
        response = certificate_login(client, cert, key)
        assert response.status_code == 200, response.json
        body = response.json
        return EnterpriseLogin(
            client,
            body["access_token"],
            name=name,
            uscc=uscc,
            id=body["enterprise"]["id"],
            cert_path=cert,
            key_path=key,
        )

    return login


@pytest.fixture
def enterprise(login_enterprise: Callable[..., EnterpriseLogin]) -> EnterpriseLogin:
    return login_enterprise()


@pytest.fixture
def make_person(services: Services) -> Callable[..., int]:
    """A person as the mini-program would leave them: verified and employed, unless told otherwise."""

    def make(
        name: str = "张建国", *, verified: bool = True, employed_by: int | None = None, id_number: str | None = None
    ) -> int:
        person_id = persons.register_person(services, name, id_number or make_id_number(), verified=verified)
        if employed_by is not None:
            persons.employ(services, employed_by, person_id)
        return person_id

    return make


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port: the object store the S3 backend talks HTTP to."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh bucket in the stand-in, with the credentials boto3 reads from the environment."""
    import uuid

    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    name = f"attachments-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return S3Bucket(name, s3_endpoint, client)


@dataclass
class S3Bucket:
    name: str
    endpoint: str
    client: Any

    def object_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def settings(self, prefix: str = "entryfiling") -> dict[str, Any]:
        return {"storage_url": f"s3://{self.name}/{prefix}", "s3_endpoint_url": self.endpoint, "s3_region": "us-east-1"}


def forget_shared_counters(redis_url: str) -> None:
    """Rate-limit counters and cached answers live in Redis across apps: each test starts without
    the earlier tests' (ids and addresses repeat from test to test)."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    for pattern in ("LIMITS:*", "entryfiling:cache:*"):
        for key in connection.scan_iter(pattern):
            connection.delete(key)


def opens_a_transaction(connection: Any) -> bool:
    """Whether a connection's ``begin`` is a real BEGIN: not one of a connection in AUTOCOMMIT (by
    its execution options, or its driver's own mode on PostgreSQL's pool of such connections)."""
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return False
    return getattr(connection.connection.driver_connection, "autocommit", False) is not True
