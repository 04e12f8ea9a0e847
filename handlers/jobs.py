"""Background job records: start (once per enterprise and kind), attempts, progress, outcome.

The state of every job lives in the database, whatever runs it: an RQ worker when Redis is
configured, a thread of the web process when not. So ``GET /api/v1/jobs/{id}`` answers the same
either way, and a killed worker leaves a record that the retry picks up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.models import BackgroundJob, SyncBaseline
from entryfiling.domain.errors import DomainError, NotFound, ServiceUnavailable
from entryfiling.integrations.registry import RegistryUnavailable
from handlers.services import SYSTEM, Actor, Services


class JobStatus:
    QUEUED = "queued"
    STARTED = "started"
    # The last attempt failed and another is coming (rq.Retry, or the in-process loop).
    RETRYING = "retrying"
    FINISHED = "finished"
    FAILED = "failed"


ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.STARTED, JobStatus.RETRYING})
STATUS_LABELS = {**msg.JOB_STATUS_LABELS, JobStatus.RETRYING: "失败，等待重试"}
# A job nobody can vouch for (in-process, another process or a restart) that has not moved
# for this long is taken as lost, so the enterprise can start the sync again.
UNATTENDED_STALE_AFTER = timedelta(minutes=30)
# A queued job gets this long to reach the queue (commit, then enqueue) before its absence there means lost.
VANISHED_GRACE = timedelta(seconds=10)
QUEUE_RETRY_AFTER_SECONDS = 30

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobContext:
    """What a use case run by a job gets: ids and the baseline its first attempt saw."""

    id: str
    kind: str
    enterprise_id: int
    filing_id: int | None
    attempt: int
    baseline: dict[str, Any] | None


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    filing_id: int | None
    attempts: int
    progress: JobProgress
    # The use case's summary (counts and details): JSON as the job wrote it.
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Started:
    job: JobView
    created: bool


def job_view(job: BackgroundJob) -> JobView:
    return JobView(
        id=job.id,
        kind=job.kind,
        kind_label=msg.JOB_LABELS.get(job.kind, job.kind),
        status=job.status,
        status_label=STATUS_LABELS.get(job.status, job.status),
        filing_id=job.filing_id,
        attempts=job.attempts,
        progress=JobProgress(job.progress_done, job.progress_total),
        result=job.result,
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
    )


def _active_key(kind: str, enterprise_id: int) -> str:
    return f"{kind}:{enterprise_id}"


def _close(job: BackgroundJob, status: str, now: datetime, error: str | None = None) -> None:
    job.status = status
    job.active_key = None
    job.error = error
    job.ended_at = now
    job.updated_at = now


def _reconcile(services: Services, job: BackgroundJob, now: datetime) -> bool:
    """Fail an active job its backend lost (worker died without retries left, process restart);
    hand a job whose queue entry vanished (Redis restarted empty) back to the queue at once.

    Returns True when the record was changed.
    """
    if job.status not in ACTIVE:
        return False
    alive = services.dispatcher.is_alive(job.id) if services.dispatcher else None
    vanished = getattr(services.dispatcher, "vanished", None)
    if alive is None and vanished is not None and now - job.updated_at > VANISHED_GRACE and vanished(job.id):
        services.dispatcher.dispatch(job.kind, job.id)  # type: ignore[union-attr]
        job.status = JobStatus.QUEUED
        job.updated_at = now
        return True
    if alive is False:
        _close(job, JobStatus.FAILED, now, msg.JOB_ABANDONED)
        return True
    if alive is None and now - job.updated_at > UNATTENDED_STALE_AFTER:
        _close(job, JobStatus.FAILED, now, msg.JOB_STALE)
        return True
    return False


def start_job(services: Services, actor: Actor, kind: str, *, filing_id: int | None = None) -> Started:
    """Create and dispatch a job, or return the one of the same kind already running for the enterprise."""
    assert actor.enterprise_id is not None
    now = services.now()
    key = _active_key(kind, actor.enterprise_id)
    with services.uow() as uow:
        running = uow.session.scalar(select(BackgroundJob).where(BackgroundJob.active_key == key))
        if running is not None:
            if _reconcile(services, running, now):
                uow.commit()
            if running.status in ACTIVE:  # still running, or handed back to the queue just now
                return Started(job_view(running), created=False)
        job = BackgroundJob(
            id=str(uuid4()),
            kind=kind,
            enterprise_id=actor.enterprise_id,
            filing_id=filing_id,
            active_key=key,
            status=JobStatus.QUEUED,
            attempts=0,
            progress_done=0,
            progress_total=0,
            created_by=actor.as_dict(),
            created_at=now,
            updated_at=now,
        )
        uow.session.add(job)
        uow.audit(actor, "job_started", f"job:{job.id}", now, {"kind": kind, "filing_id": filing_id})
        try:
            uow.commit()
        except IntegrityError:
            # Another click won the race between our look-up and insert: show its job.
            uow.rollback()
            running = uow.session.scalar(select(BackgroundJob).where(BackgroundJob.active_key == key))
            if running is None:
                raise
            return Started(job_view(running), created=False)
        job_id = job.id
    try:
        if services.dispatcher is None:
            raise RuntimeError("no job dispatcher configured")
        services.dispatcher.dispatch(kind, job_id)
    except Exception as exc:
        # The queue is down: the job never existed for anyone but its audit row, and nothing is
        # left to block the next click once the queue is back.
        with services.uow() as uow:
            uow.session.execute(delete(BackgroundJob).where(BackgroundJob.id == job_id))
            uow.audit(actor, "job_not_queued", f"job:{job_id}", services.now(), {"kind": kind})
            uow.commit()
        raise ServiceUnavailable(msg.JOB_QUEUE_UNAVAILABLE, retry_after=QUEUE_RETRY_AFTER_SECONDS) from exc
    return Started(get_job(services, actor, job_id), created=True)


def get_job(services: Services, actor: Actor, job_id: str) -> JobView:
    with services.uow() as uow:
        job = uow.session.get(BackgroundJob, job_id)
        if job is None or job.enterprise_id != actor.enterprise_id:
            raise NotFound(msg.JOB_NOT_FOUND)
        if _reconcile(services, job, services.now()):
            uow.commit()
        return job_view(job)


def list_jobs(services: Services, actor: Actor, limit: int = 20) -> list[JobView]:
    with services.uow() as uow:
        jobs = uow.session.scalars(
            select(BackgroundJob)
            .where(BackgroundJob.enterprise_id == actor.enterprise_id)
            .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id)
            .limit(limit)
        ).all()
        return [job_view(j) for j in jobs]


# ---------------------------------------------------------------------------- running a job


def begin_attempt(services: Services, job_id: str) -> JobContext | None:
    """Mark an attempt started; None when the job is unknown or already decided (nothing to do)."""
    now = services.now()
    with services.uow() as uow:
        job = uow.session.get(BackgroundJob, job_id, with_for_update=True)
        if job is None or job.status not in ACTIVE:
            return None
        job.status = JobStatus.STARTED
        job.attempts += 1
        job.started_at = job.started_at or now
        job.updated_at = now
        uow.commit()
        return JobContext(job.id, job.kind, job.enterprise_id, job.filing_id, job.attempts, job.baseline)


def keep_baseline(services: Services, job_id: str, baseline: dict[str, Any]) -> dict[str, Any]:
    """Store what the first attempt saw; later attempts get the stored one back."""
    with services.uow() as uow:
        job = uow.session.get_one(BackgroundJob, job_id, with_for_update=True)
        if job.baseline is None:
            job.baseline = baseline
            uow.commit()
        return job.baseline


def report_progress(services: Services, job_id: str, done: int, total: int) -> None:
    with services.uow() as uow:
        job = uow.session.get_one(BackgroundJob, job_id)
        job.progress_done, job.progress_total = done, total
        job.updated_at = services.now()
        uow.commit()


def _finish(services: Services, job_id: str, result: dict[str, Any]) -> None:
    now = services.now()
    with services.uow() as uow:
        job = uow.session.get_one(BackgroundJob, job_id)
        job.result = result
        job.progress_done = job.progress_total = max(job.progress_total, job.progress_done)
        _close(job, JobStatus.FINISHED, now)
        # The per-person retry baseline of a certificate sync is only needed until the job is done.
        uow.session.execute(delete(SyncBaseline).where(SyncBaseline.job_id == job_id))
        uow.audit(SYSTEM, "job_finished", f"job:{job_id}", now, {"kind": job.kind}, enterprise_id=job.enterprise_id)
        uow.commit()


def _failed(services: Services, job_id: str, error: str, *, final: bool) -> None:
    now = services.now()
    with services.uow() as uow:
        job = uow.session.get_one(BackgroundJob, job_id)
        if final:
            _close(job, JobStatus.FAILED, now, error)
            uow.audit(SYSTEM, "job_failed", f"job:{job_id}", now, {"error": error}, enterprise_id=job.enterprise_id)
        else:
            job.status = JobStatus.RETRYING
            job.error = error
            job.updated_at = now
        uow.commit()


class JobAttemptFailed(Exception):
    """Raised out of a job so that its runner (rq.Retry, the in-process loop) tries again."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


UseCase = Callable[[Services, JobContext, Progress], dict[str, Any]]


def attempt_job(
    services: Services,
    job_id: str,
    use_cases: Mapping[str, UseCase],
    *,
    final_attempt: bool,
    on_progress: Progress | None = None,
) -> Any:
    """One attempt of a job: the use case of its kind (the job runtime says which), with its
    outcome recorded.

    A transient failure (registry unavailable, unexpected error) raises JobAttemptFailed with
    ``retry=True`` unless this was the last attempt; a refusal a retry cannot fix (filing no
    longer a draft, enterprise unknown to the registry) fails the job at once with ``retry=False``.
    """
    context = begin_attempt(services, job_id)
    if context is None:
        return None

    def progress(done: int, total: int) -> None:
        report_progress(services, job_id, done, total)
        if on_progress is not None:
            on_progress(done, total)

    try:
        result = use_cases[context.kind](services, context, progress)
    except RegistryUnavailable as exc:
        _failed(services, job_id, exc.message, final=final_attempt)
        raise JobAttemptFailed(exc.message, retry=not final_attempt) from exc
    except DomainError as exc:
        _failed(services, job_id, exc.message, final=True)
        raise JobAttemptFailed(exc.message, retry=False) from exc
    except Exception as exc:
        _failed(services, job_id, msg.JOB_FAILED_UNEXPECTEDLY, final=final_attempt)
        raise JobAttemptFailed(f"{type(exc).__name__}: {exc}", retry=not final_attempt) from exc
    _finish(services, job_id, result)
    return result
