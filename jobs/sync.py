"""Registry syncs as RQ jobs. Each takes the id of its job record, which names the enterprise
(and the filing to fill, if any); the use cases are ``handlers.sync``."""

from __future__ import annotations

from typing import Any

from jobs.runtime import run


def sync_certificates(job_id: str) -> Any:
    """一键同步人员注册证书."""
    return run(job_id)


def sync_qualifications(job_id: str) -> Any:
    """同步企业资质."""
    return run(job_id)
