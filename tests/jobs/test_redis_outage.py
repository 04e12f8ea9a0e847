"""Redis outages: 503 with Retry-After while it is down, nothing left behind, lost jobs requeued,
and a worker that reconnects. Each test stops and starts a redis-server of its own."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

from rq.job import Job
from sqlalchemy import func, select

from entryfiling.db.models import BackgroundJob
from handlers.services import utcnow
from jobs import runtime
from tests.jobs.conftest import REGISTRY_TEST_SETTINGS, work, worker_env
from tests.jobs.helpers import demo_enterprise, employ_demo_persons

WORKER = [sys.executable, "-m", "entryfiling.cli", "jobs", "worker"]


def job_count(services) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(BackgroundJob)) or 0


def wait_for(condition, what: str, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def outage_app(make_app, own_redis, registry):
    app = make_app(redis_url=own_redis.url, registry_api_base_url=registry.url, **REGISTRY_TEST_SETTINGS)
    runtime.configure(app.extensions["entryfiling"])
    return app


def test_a_sync_started_while_redis_is_down_is_a_503_and_leaves_no_job(login_enterprise, make_app, own_redis, registry):
    app = outage_app(make_app, own_redis, registry)
    services = app.extensions["entryfiling"]
    enterprise = demo_enterprise(login_enterprise)
    enterprise.client = app.test_client()
    own_redis.stop()

    for _ in range(3):
        down = enterprise.post("/api/v1/sync/certificates")
        assert down.status_code == 503 and down.mimetype == "application/problem+json"
        assert int(down.headers["Retry-After"]) > 0 and "稍后重试" in down.json["detail"]
    assert job_count(services) == 0
    assert enterprise.get("/api/v1/enterprise").status_code == 200  # the rest works on

    own_redis.start()
    up = enterprise.post("/api/v1/sync/certificates")
    assert up.status_code == 202 and job_count(services) == 1
    runtime.configure(None)


def test_a_job_lost_with_redis_is_requeued_at_once(login_enterprise, make_person, make_app, own_redis, registry):
    app = outage_app(make_app, own_redis, registry)
    services = app.extensions["entryfiling"]
    enterprise = demo_enterprise(login_enterprise)
    enterprise.client = app.test_client()
    employ_demo_persons(make_person, enterprise)
    job = enterprise.post("/api/v1/sync/certificates").json
    connection = own_redis.connection()
    connection.flushall()  # Redis came back empty: the queued RQ job is gone

    services.clock = lambda: utcnow() + timedelta(seconds=30)
    again = enterprise.post("/api/v1/sync/certificates")
    assert again.status_code == 202 and again.json["id"] == job["id"] and again.json["reused"] is True
    assert Job.fetch(job["id"], connection=connection).get_status() == "queued"

    work(connection)
    assert enterprise.get(f"/api/v1/jobs/{job['id']}").json["status"] == "finished"
    runtime.configure(None)


def test_the_worker_survives_a_redis_restart_and_runs_what_comes_after(
    login_enterprise, make_person, make_app, own_redis, registry, settings, tmp_path
):
    app = outage_app(make_app, own_redis, registry)
    enterprise = demo_enterprise(login_enterprise)
    enterprise.client = app.test_client()
    employ_demo_persons(make_person, enterprise)
    log = (tmp_path / "worker.log").open("w")
    env = worker_env(settings, own_redis.url, registry.url)
    worker = subprocess.Popen([*WORKER, "--name", "survivor"], env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        wait_for(lambda: own_redis.connection().exists("rq:worker:survivor"), "the worker to register")
        own_redis.stop()
        time.sleep(3)  # the worker meets the outage
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        own_redis.start()
        job = enterprise.post("/api/v1/sync/certificates").json
        wait_for(
            lambda: enterprise.get(f"/api/v1/jobs/{job['id']}").json["status"] == "finished",
            "the job to finish on the reconnected worker",
        )
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        runtime.configure(None)
