"""Job tests run against a real Redis and real RQ workers, and a real registry stand-in on loopback.

Redis: REDIS_URL when set (CI exports it), otherwise a throwaway ``redis-server`` started here.
RQ's keys in that database are deleted before each test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from devkit.emulators.registry import RegistryStandIn
from jobs import runtime
from jobs.queues import QUEUES
from tests.conftest import _empty_tables, forget_shared_counters


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed and REDIS_URL is not set")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        connection = Redis.from_url(url)
        for _ in range(100):
            try:
                if connection.ping():
                    break
            except Exception:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_conn(redis_url: str) -> Redis:
    connection = Redis.from_url(redis_url)
    keys = list(connection.scan_iter("rq:*", count=1000))
    if keys:
        connection.delete(*keys)
    return connection


@pytest.fixture
def registry() -> Iterator[RegistryStandIn]:
    stand_in = RegistryStandIn().start()
    yield stand_in
    stand_in.stop()


REGISTRY_TEST_SETTINGS: dict[str, Any] = {
    "registry_retries": 2,
    "registry_backoff_seconds": 0.01,
    "registry_timeout_seconds": 2.0,
}


@pytest.fixture
def app(
    make_app: Any, database_url: str, registry: RegistryStandIn, redis_conn: Redis, redis_url: str
) -> Iterator[Flask]:
    """The application as deployed with Redis: syncs go to RQ, pointed at the registry stand-in."""
    forget_shared_counters(redis_url)
    application = make_app(redis_url=redis_url, registry_api_base_url=registry.url, **REGISTRY_TEST_SETTINGS)
    services = application.extensions["entryfiling"]
    runtime.configure(services)  # SimpleWorker runs jobs in this process, with these services
    yield application
    runtime.configure(None)
    _empty_tables(services)


def work(connection: Redis) -> None:
    """Run every queued job to the end with a real RQ worker (in this process)."""
    queues = [Queue(name, connection=connection) for name in QUEUES]
    SimpleWorker(queues, connection=connection).work(burst=True)


def jump_to_retries(connection: Redis) -> int:
    """Let the retry waits pass: move every scheduled retry into its queue now."""
    moved = 0
    for name in QUEUES:
        registry = ScheduledJobRegistry(name, connection=connection)
        for job_id in registry.get_job_ids():
            registry.requeue(job_id)
            moved += 1
    return moved


def worker_env(settings: Any, redis_url: str, registry_url: str) -> dict[str, str]:
    """What a worker process needs to reach the same database, keys and registry as the test."""
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "STORAGE_DIR": str(settings.storage_dir),
        "CA_TRUST_BUNDLE": str(settings.ca_trust_bundle),
        "REDIS_URL": redis_url,
        "REGISTRY_API_BASE_URL": registry_url,
        "REGISTRY_RETRIES": "2",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
