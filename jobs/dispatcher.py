"""Where a started job runs: on RQ when REDIS_URL is set, else in a thread of this process.

Both keep the job's state in the database (handlers.jobs), so the status API is the same.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus as RQStatus

from entryfiling.config import Settings
from handlers.jobs import JobAttemptFailed
from handlers.services import Dispatcher, Services
from jobs.queues import JOBS, JobSpec

log = logging.getLogger(__name__)

ALIVE = frozenset({RQStatus.QUEUED, RQStatus.STARTED, RQStatus.SCHEDULED, RQStatus.DEFERRED, RQStatus.CREATED})
DEAD = frozenset({RQStatus.FAILED, RQStatus.STOPPED, RQStatus.CANCELED})


class _QueuePolicy:
    """Every dispatcher retries by the one policy table, jobs.queues.JOBS."""

    def retry_intervals(self, kind: str) -> tuple[int, ...]:
        return JOBS[kind].retry_intervals


class RQDispatcher(_QueuePolicy):
    def __init__(self, redis_url: str) -> None:
        # Short timeouts: with Redis down a request answers 503 at once instead of hanging.
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)

    def queue(self, name: str) -> Queue:
        return Queue(name, connection=self.connection)

    def dispatch(self, kind: str, job_id: str) -> None:
        spec = JOBS[kind]
        self.queue(spec.queue).enqueue(
            spec.function,
            job_id,
            job_id=job_id,
            job_timeout=spec.timeout,
            result_ttl=spec.result_ttl,
            failure_ttl=spec.failure_ttl,
            retry=Retry(max=spec.retries, interval=list(spec.retry_intervals)),
            description=f"{kind}({job_id})",
        )

    def is_alive(self, job_id: str) -> bool | None:
        try:
            status = Job.fetch(job_id, connection=self.connection).get_status()
        except NoSuchJobError:
            return None  # not enqueued yet, or expired: the record's age decides
        except RedisError:
            return None
        if status in ALIVE:
            return True
        return False if status in DEAD else None

    def vanished(self, job_id: str) -> bool:
        """Redis answers and holds no such job: it was lost (Redis restarted empty, evicted)."""
        try:
            Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return True
        except RedisError:
            return False
        return False


class InProcessDispatcher(_QueuePolicy):
    """The embedded default: a small thread pool, retrying with the same intervals as RQ."""

    def __init__(
        self, services: Callable[[], Services], *, max_workers: int = 2, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._services = services
        self._sleep = sleep
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="entryfiling-job")
        self._running: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def dispatch(self, kind: str, job_id: str) -> None:
        spec = JOBS[kind]
        with self._lock:
            future = self._executor.submit(self._run, spec, job_id)
            self._running[job_id] = future
        future.add_done_callback(lambda _f: self._forget(job_id))

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)

    def _run(self, spec: JobSpec, job_id: str) -> None:
        services = self._services()
        attempt_once = attempt_function(spec)
        waits = (0, *spec.retry_intervals)
        for attempt, wait in enumerate(waits):
            if wait:
                self._sleep(wait)
            try:
                attempt_once(services, job_id, final_attempt=attempt == len(waits) - 1)
                return
            except JobAttemptFailed as exc:
                log.warning("job %s attempt %d failed: %s", job_id, attempt + 1, exc)
                if not exc.retry:
                    return
            except Exception:
                log.exception("job %s: could not record its outcome", job_id)
                return

    def is_alive(self, job_id: str) -> bool | None:
        with self._lock:
            return True if job_id in self._running else None

    def wait(self, job_id: str, timeout: float) -> None:
        """Block until the job's thread ends (tests and the CLI; the API polls instead)."""
        with self._lock:
            future = self._running.get(job_id)
        if future is not None:
            future.result(timeout=timeout)


class InlineDispatcher(_QueuePolicy):
    """One attempt, now, in the caller (the ``reminders run`` command without Redis): a command
    run from cron must end, not sleep through retry waits. What fails stays ``retrying`` in the
    outbox and the next run's sweep hands it back."""

    def __init__(self, services: Callable[[], Services]) -> None:
        self._services = services

    def dispatch(self, kind: str, job_id: str) -> None:
        try:
            attempt_function(JOBS[kind])(self._services(), job_id, final_attempt=False)
        except JobAttemptFailed as exc:
            log.warning("job %s failed: %s", job_id, exc)

    def is_alive(self, job_id: str) -> bool | None:
        return None


def attempt_function(spec: JobSpec) -> Callable[..., Any]:
    module, _, name = spec.attempt.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def make_dispatcher(settings: Settings, services: Callable[[], Services]) -> Dispatcher:
    if settings.redis_url:
        return RQDispatcher(settings.redis_url)
    return InProcessDispatcher(services)
