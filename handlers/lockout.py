"""Login lockout: failed attempts counted per identity and per source address, successes not at all.

LOGIN_MAX_FAILURES failures of one identity (a certificate's USCC, an openid, a regulator account)
within LOGIN_FAILURE_WINDOW_SECONDS lock it for LOGIN_LOCKOUT_SECONDS; a source address is locked
after LOGIN_MAX_FAILURES_PER_SOURCE (several users may share an office's address). A locked
attempt is answered 429 with Retry-After and is not even tried. Every attempt is audited with its
result; the claimed identity is recorded, never the secret presented.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError

from entryfiling import messages as msg
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import LoginFailure, LoginLock
from entryfiling.domain.errors import AuthenticationFailed, RateLimited
from handlers.services import Actor, Services


@dataclass(frozen=True)
class LoginAttempt:
    """One login: the audited event name, who it claims to be (if known) and where it comes from."""

    event: str
    actor_kind: str
    identity: str | None
    source: str

    def counters(self) -> list[tuple[str, bool]]:
        """(counter key, whether it counts an identity rather than a source) for this attempt."""
        keys = [(f"source:{self.source}", False)]
        if self.identity:
            keys.insert(0, (f"{self.actor_kind}:{self.identity}", True))
        return keys

    def claimed(self) -> Actor:
        return Actor(self.actor_kind, self.identity or "unknown", "")


@contextmanager
def guarded(services: Services, attempt: LoginAttempt) -> Iterator[None]:
    """Refuse a locked identity or source; count and audit the attempt if authentication fails."""
    now = services.now()
    _refuse_if_locked(services, attempt, now)
    try:
        yield
    except AuthenticationFailed as failure:
        _record_failure(services, attempt, failure, now)
        raise


def _limit(services: Services, per_identity: bool) -> int:
    settings = services.settings
    return settings.login_max_failures if per_identity else settings.login_max_failures_per_source


# Built once: the request only binds the keys and the time. An attempt has one or two counters
# (its source, and its identity when it claims one): with one, both parameters name it.
_LOCKED_UNTIL = DriverRead(
    select(func.max(LoginLock.locked_until)).where(
        LoginLock.key.in_([bindparam("first_key"), bindparam("second_key")]),
        LoginLock.locked_until > bindparam("now"),
    )
)


def _refuse_if_locked(services: Services, attempt: LoginAttempt, now: datetime) -> None:
    keys = [key for key, _per in attempt.counters()]
    # Every login asks this: one statement outside a transaction, on the driver's connection
    # (``DriverRead``, as the session check); only a refusal writes (its audit row).
    row = services.read_row(_LOCKED_UNTIL, {"first_key": keys[0], "second_key": keys[-1], "now": now})
    until = row[0] if row is not None else None
    if until is None:
        return
    retry_after = max(1, math.ceil((until - now).total_seconds()))
    with services.uow() as uow:
        uow.audit(attempt.claimed(), attempt.event, "login", now, {"reason": "locked"}, result="denied")
        uow.commit()
    raise RateLimited(msg.LOGIN_LOCKED.format(minutes=math.ceil(retry_after / 60)), retry_after=retry_after)


def _record_failure(services: Services, attempt: LoginAttempt, failure: AuthenticationFailed, now: datetime) -> None:
    window_start = now - timedelta(seconds=services.settings.login_failure_window_seconds)
    lock_until = now + timedelta(seconds=services.settings.login_lockout_seconds)
    with services.uow() as uow:
        session = uow.session
        locked: list[str] = []
        for key, per_identity in attempt.counters():
            session.execute(delete(LoginFailure).where(LoginFailure.key == key, LoginFailure.at < window_start))
            session.add(LoginFailure(key=key, at=now))
            session.flush()
            count = session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key))
            if (count or 0) >= _limit(services, per_identity):
                locked.append(key)
        uow.audit(
            attempt.claimed(),
            attempt.event,
            "login",
            now,
            {"reason": failure.code, "detail": failure.message, **({"locked": True} if locked else {})},
            result="failure",
        )
        uow.commit()
    for key in locked:
        _lock(services, key, lock_until)


def _lock(services: Services, key: str, until: datetime) -> None:
    for _attempt in range(2):  # two processes may lock the same key at once
        with services.uow() as uow:
            row = uow.session.get(LoginLock, key)
            if row is None:
                uow.session.add(LoginLock(key=key, locked_until=until))
            else:
                row.locked_until = max(row.locked_until, until)
            try:
                uow.commit()
                return
            except IntegrityError:
                uow.rollback()
