"""A real worker process killed mid-job: nothing is half-written, and RQ's retry completes the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from redis import Redis
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from entryfiling.db.models import BackgroundJob, PersonCertificate
from jobs.queues import SYNC_QUEUE
from tests.jobs.conftest import jump_to_retries, worker_env
from tests.jobs.helpers import demo_enterprise, employ_demo_persons

WORKER = [sys.executable, "-m", "entryfiling.commands.jobs", "worker"]


def wait_for(condition, what: str, limit: float = 60.0) -> None:
    """Poll until ``condition()`` holds; the limit only stops a broken test from hanging."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def job_row(services, job_id):
    with services.uow() as uow:
        return uow.session.get_one(BackgroundJob, job_id)


def certificates_held(services) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(PersonCertificate)) or 0


def test_killed_worker_loses_nothing_and_the_retry_completes(
    login_enterprise, make_person, services, settings, registry, redis_conn: Redis, redis_url, tmp_path
):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    # Two persons are answered; the other requests of the batch hang, and there the worker dies.
    registry.set_fault("slow", delay=60, target="certificates", after=2)
    job_id = enterprise.post("/api/v1/sync/certificates").json["id"]

    env = worker_env(settings, redis_url, registry.url)
    log = (tmp_path / "worker-1.log").open("w")
    worker = subprocess.Popen([*WORKER, "--name", "doomed"], env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        wait_for(lambda: registry.requests_seen("certificates") == 4, "every person's request sent, two hanging")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work-horse, like a lost machine
        worker.wait(timeout=30)

    killed = job_row(services, job_id)
    assert killed.status == "started" and killed.attempts == 1 and killed.active_key is not None
    # A batch of persons is written in one transaction: the unfinished one left nothing half-written.
    assert killed.progress_done == 0 and certificates_held(services) == 0
    registry.clear_fault()

    # Once the dead worker's heartbeat lapses, RQ's maintenance finds the abandoned job and
    # retries it (rq.Retry); here the clock is moved on instead of waiting for the lapse.
    StartedJobRegistry(SYNC_QUEUE, connection=redis_conn).cleanup(timestamp=time.time() + 3600)
    assert jump_to_retries(redis_conn) == 1

    log = (tmp_path / "worker-2.log").open("w")
    second = subprocess.run([*WORKER, "--burst"], env=env, stdout=log, stderr=log, timeout=120, check=False)
    assert second.returncode == 0, (tmp_path / "worker-2.log").read_text()

    done = enterprise.get(f"/api/v1/jobs/{job_id}").json
    assert done["status"] == "finished", done
    assert done["attempts"] == 2
    assert done["progress"] == {"done": 4, "total": 4}
    # Reported against what the first attempt saw: all six are new, none counted twice.
    assert done["result"]["counts"] == {"added": 5, "updated": 0, "unchanged": 0, "removed": 0, "failed": 1}
    assert certificates_held(services) == 6
