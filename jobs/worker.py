"""An RQ worker that outlives Redis outages.

RQ's work loop ends on an error it does not expect (a Redis connection lost mid-command is one):
``work()`` returns as if asked to stop, and a worker process left to that would exit on the
first Redis restart. Here the worker is rebuilt and started again, with a capped exponential
wait, until it is really asked to stop (SIGTERM/SIGINT) or, in burst mode, its queues are empty.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 30.0


def work_until_stopped(
    make_worker: Callable[[], Any],
    *,
    burst: bool = False,
    with_scheduler: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    wait = 1.0
    while True:
        worker = None
        try:
            worker = make_worker()
            worker.work(burst=burst, with_scheduler=with_scheduler)
            if burst or _stop_was_requested(worker):
                return
            log.warning("worker loop ended without a stop request (Redis lost?); restarting in %.0fs", wait)
        except RedisError as error:
            log.warning("Redis unavailable (%s); reconnecting in %.0fs", error, wait)
        sleep(wait)
        wait = min(wait * 2, MAX_WAIT_SECONDS)


def _stop_was_requested(worker: Any) -> bool:
    """RQ records a SIGTERM/SIGINT as the shutdown-request time (an idle worker just leaves its loop)."""
    return bool(getattr(worker, "_stop_requested", False) or getattr(worker, "_shutdown_requested_date", None))
