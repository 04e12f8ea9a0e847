"""Fixed-window request counters behind the per-address rate limits.

Redis (the ``limits`` library's storage) when configured: one counter for every process, and a
read stays a read. Without Redis the counters of write paths (logins) stay in the database
(``entryfiling.db.rate_limits``), shared by every process; read paths (the public register) count in
this process's memory instead, so a query never becomes a write transaction — on the embedded
default that is one process anyway.
"""

from __future__ import annotations

import time
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter


class RateCounter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        """Count one request; the seconds to wait when it is over the limit, else None."""
        ...


class LimitsCounter:
    """A counter in a ``limits`` storage (Redis or this process's memory)."""

    def __init__(self, storage: Storage) -> None:
        self._limiter = FixedWindowRateLimiter(storage)

    @classmethod
    def redis(cls, redis_url: str) -> LimitsCounter:
        storage = storage_from_string(redis_url)
        assert isinstance(storage, Storage)  # a redis:// URL names the synchronous storage
        return cls(storage)

    @classmethod
    def memory(cls) -> LimitsCounter:
        return cls(MemoryStorage())

    def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        item = RateLimitItemPerSecond(limit, window_seconds, namespace="entryfiling")
        if self._limiter.hit(item, key):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(item, key)
        return max(1, int(reset_at - time.time()) + 1)
