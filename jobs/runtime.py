"""What a job runs with: Services built once per worker process from the settings.

``entryfiling jobs worker`` builds them at start; a job run by a worker started some other way
(``rq worker``) builds them on first use from the environment. Tests that run a SimpleWorker in
their own process hand it their Services with ``configure``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rq import get_current_job

from entryfiling.config import load_settings
from entryfiling.metrics import count_job_attempt
from handlers import sync
from handlers.jobs import JobAttemptFailed, UseCase, attempt_job
from handlers.services import Services
from handlers.sync_certificates import sync_certificates
from handlers.sync_qualifications import sync_qualifications

# Which use case a job of each kind runs.
USE_CASES: dict[str, UseCase] = {sync.CERTIFICATES: sync_certificates, sync.QUALIFICATIONS: sync_qualifications}

_services: Services | None = None


def configure(services: Services | None) -> None:
    global _services
    _services = services


def services() -> Services:
    global _services
    if _services is None:
        _services = Services.from_settings(load_settings())
    return _services


def run_job(services: Services, job_id: str, *, final_attempt: bool, on_progress: Any = None) -> Any:
    """One attempt of the registry job with this id (what the in-process runner calls)."""
    return attempt_job(services, job_id, USE_CASES, final_attempt=final_attempt, on_progress=on_progress)


def run(job_id: str) -> Any:
    """One attempt of the job with this id, reporting progress in the RQ job's meta.

    The last attempt is the one with no retries left; a failure a retry cannot fix takes the
    retries away, so RQ shows the job failed instead of retrying it for nothing.
    """
    rq_job = get_current_job()

    def progress(done: int, total: int) -> None:
        if rq_job is not None:
            rq_job.meta["progress"] = {"done": done, "total": total}
            rq_job.save_meta()  # type: ignore[no-untyped-call]

    return run_attempt(
        lambda final_attempt: run_job(services(), job_id, final_attempt=final_attempt, on_progress=progress)
    )


def run_attempt(attempt: Callable[[bool], Any]) -> Any:
    """One attempt under RQ: ``attempt(final_attempt)``; a JobAttemptFailed that no retry can
    fix takes the RQ job's retries away so that it shows failed at once."""
    rq_job = get_current_job()
    final = rq_job is None or not rq_job.retries_left
    queue, job = (rq_job.origin, (rq_job.func_name or "").rsplit(".", 1)[-1]) if rq_job else ("inline", "job")
    try:
        result = attempt(final)
    except JobAttemptFailed as exc:
        if not exc.retry and rq_job is not None:
            rq_job.retries_left = 0
        count_job_attempt(queue, job, "failed" if final or not exc.retry else "retry")
        raise
    except Exception:
        count_job_attempt(queue, job, "error")
        raise
    count_job_attempt(queue, job, "done")
    return result
