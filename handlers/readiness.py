"""Is this process ready to serve: every part it depends on answers (for ``/readyz``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from entryfiling import messages as msg
from handlers.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    part: str
    ok: bool
    detail: str


def check_readiness(services: Services, redis_ping: Callable[[], object] | None) -> list[Check]:
    """Database, Redis (when configured), storage writable, CA trust bundle loaded; each on its own,
    so one failing part does not hide another."""

    def database() -> None:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def storage() -> None:
        services.storage.check_writable()

    def trust_bundle() -> None:
        if not services.trust_roots():
            raise ValueError("no certificates in the bundle")

    probes: list[tuple[str, Callable[[], object], str]] = [
        ("database", database, msg.READY_DATABASE_DOWN),
        ("storage", storage, msg.READY_STORAGE_DOWN),
        ("trust_bundle", trust_bundle, msg.READY_TRUST_BUNDLE_MISSING),
    ]
    if redis_ping is not None:
        probes.insert(1, ("redis", redis_ping, msg.READY_REDIS_DOWN))
    checks = []
    for part, probe, failed in probes:
        try:
            probe()
        except Exception as error:  # any failure of a part makes it not ready; the reason goes to the log
            log.warning("readiness: %s failed", part, extra={"part": part, "error": type(error).__name__})
            checks.append(Check(part, False, failed))
        else:
            checks.append(Check(part, True, "ok"))
    return checks
