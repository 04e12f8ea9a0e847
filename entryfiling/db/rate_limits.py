"""Fixed-window rate-limit counters in the database, for deployments without Redis (write paths)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from entryfiling.db.models import RateLimitBucket


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
