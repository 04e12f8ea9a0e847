"""Where a started job runs: on RQ when REDIS_URL is set, else in a thread of this process.

Both keep the job's state in the database (handlers.jobs), so the status API is the same.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus as RQStatus

from entryfiling.config import Settings
from handlers.jobs import JobAttemptFailed, run_job
from handlers.services import Dispatcher, Services
from jobs.queues import JOBS

log = logging.getLogger(__name__)

ALIVE = frozenset({RQStatus.QUEUED, RQStatus.STARTED, RQStatus.SCHEDULED, RQStatus.DEFERRED, RQStatus.CREATED})
DEAD = frozenset({RQStatus.FAILED, RQStatus.STOPPED, RQStatus.CANCELED})


class RQDispatcher:
    def __init__(self, redis_url: str) -> None:
        self.connection = Redis.from_url(redis_url)

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


class InProcessDispatcher:
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
            future = self._executor.submit(self._run, spec.retry_intervals, job_id)
            self._running[job_id] = future
        future.add_done_callback(lambda _f: self._forget(job_id))

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)

    def _run(self, intervals: tuple[int, ...], job_id: str) -> None:
        services = self._services()
        waits = (0, *intervals)
        for attempt, wait in enumerate(waits):
            if wait:
                self._sleep(wait)
            try:
                run_job(services, job_id, final_attempt=attempt == len(waits) - 1)
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


def make_dispatcher(settings: Settings, services: Callable[[], Services]) -> Dispatcher:
    if settings.redis_url:
        return RQDispatcher(settings.redis_url)
    return InProcessDispatcher(services)
