"""Every background job's queue, time limit and retry policy, in one place.

Retry intervals are the waits before each retry (their count is the number of retries). On RQ
they become ``rq.Retry``, which needs the worker's scheduler (``--with-scheduler``, on by default
in ``entryfiling jobs worker``); the in-process runner waits the same intervals itself.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNC_QUEUE = "registry-sync"
NOTIFY_QUEUE = "notifications"
DEFAULT_QUEUE = "default"
# The order a worker takes jobs in: a push (one WeChat call, someone waiting for it) before a sync
# that may take a minute.
QUEUES = (NOTIFY_QUEUE, SYNC_QUEUE, DEFAULT_QUEUE)


@dataclass(frozen=True)
class JobSpec:
    function: str  # import path of the RQ entry point, resolved by the worker
    queue: str
    timeout: int  # seconds one attempt may run before the worker kills it
    retry_intervals: tuple[int, ...]
    result_ttl: int = 24 * 3600
    failure_ttl: int = 7 * 24 * 3600
    # One attempt, ``(services, job_id, *, final_attempt) -> result``, raising
    # handlers.jobs.JobAttemptFailed to be retried: what the in-process runner calls.
    attempt: str = "jobs.runtime.run_job"

    @property
    def retries(self) -> int:
        return len(self.retry_intervals)


JOBS: dict[str, JobSpec] = {
    "sync_certificates": JobSpec("jobs.sync.sync_certificates", SYNC_QUEUE, timeout=900, retry_intervals=(10, 60, 300)),
    "sync_qualifications": JobSpec(
        "jobs.sync.sync_qualifications", SYNC_QUEUE, timeout=300, retry_intervals=(10, 60, 300)
    ),
    # WeChat busy (-1), unreachable, token trouble: back off 10 s, 1 min, 5 min, 15 min, then give up
    # (the notice stays in the in-app inbox).
    "push_notification": JobSpec(
        "jobs.notifications.push_notification",
        NOTIFY_QUEUE,
        timeout=60,
        retry_intervals=(10, 60, 300, 900),
        attempt="handlers.push.push_attempt",
    ),
}
# The daily expiry reminders, run by RQ's cron scheduler (``entryfiling jobs cron``) or, without
# Redis, by ``entryfiling reminders run`` from the system's cron. No rq.Retry: the run is
# idempotent and a missed day is caught up by the next one.
REMINDERS_FUNCTION = "jobs.notifications.send_reminders"
REMINDERS_QUEUE = DEFAULT_QUEUE
REMINDERS_TIMEOUT = 900
