"""Fixed-window request counters behind the per-address rate limits.

Redis (the ``limits`` library's storage) when configured: one counter for every process, and a
read stays a read. Without Redis the counters of write paths (logins) stay in the database, shared
by every process; read paths (the public register) count in this process's memory instead, so a
query never becomes a write transaction — on the embedded default that is one process anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from entryfiling.db.models import RateLimitBucket


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
        return cls(storage_from_string(redis_url))

    @classmethod
    def memory(cls) -> LimitsCounter:
        return cls(MemoryStorage())

    def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        item = RateLimitItemPerSecond(limit, window_seconds, namespace="entryfiling")
        if self._limiter.hit(item, key):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(item, key)
        return max(1, int(reset_at - time.time()) + 1)


class DatabaseCounter:
    """Fixed windows in ``rate_limit_buckets``, shared by all processes when there is no Redis."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        now = int(self._clock().timestamp())
        window = now // window_seconds
        bump = (
            update(RateLimitBucket)
            .where(RateLimitBucket.key == key, RateLimitBucket.window_start == window)
            .values(count=RateLimitBucket.count + 1)
        )
        with self._session_factory() as session:
            if session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
                try:
                    with session.begin_nested():
                        session.add(RateLimitBucket(key=key, window_start=window, count=1))
                    # A new window: forget the old ones of this key.
                    session.execute(
                        delete(RateLimitBucket).where(RateLimitBucket.key == key, RateLimitBucket.window_start < window)
                    )
                except IntegrityError:  # another process opened the window first
                    session.execute(bump)
            count = session.scalar(
                select(RateLimitBucket.count).where(RateLimitBucket.key == key, RateLimitBucket.window_start == window)
            )
            session.commit()
        if count is not None and count > limit:
            return window_seconds - now % window_seconds
        return None
