"""Every background job's queue, time limit and retry policy, in one place.

Retry intervals are the waits before each retry (their count is the number of retries). On RQ
they become ``rq.Retry``, which needs the worker's scheduler (``--with-scheduler``, on by default
in ``entryfiling jobs worker``); the in-process runner waits the same intervals itself.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNC_QUEUE = "registry-sync"
DEFAULT_QUEUE = "default"
QUEUES = (SYNC_QUEUE, DEFAULT_QUEUE)


@dataclass(frozen=True)
class JobSpec:
    function: str  # import path of the RQ entry point, resolved by the worker
    queue: str
    timeout: int  # seconds one attempt may run before the worker kills it
    retry_intervals: tuple[int, ...]
    result_ttl: int = 24 * 3600
    failure_ttl: int = 7 * 24 * 3600

    @property
    def retries(self) -> int:
        return len(self.retry_intervals)


JOBS: dict[str, JobSpec] = {
    "sync_certificates": JobSpec("jobs.sync.sync_certificates", SYNC_QUEUE, timeout=900, retry_intervals=(10, 60, 300)),
    "sync_qualifications": JobSpec(
        "jobs.sync.sync_qualifications", SYNC_QUEUE, timeout=300, retry_intervals=(10, 60, 300)
    ),
}
