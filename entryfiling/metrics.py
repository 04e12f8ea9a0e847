"""Prometheus metrics (prometheus_client), every one declared here.

A module of its own, importing nothing of ours, so that integrations, use cases, jobs and the
HTTP layers can all count without an import cycle.

Under gunicorn (and RQ, whose work horses are forked per job) set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory shared by the processes of one machine before they start: each process then
writes its samples there and ``/metrics`` adds them up (prometheus_client's multiprocess mode;
deploy/gunicorn.conf.py marks dead workers). Without it (development, tests) the samples live in
the process. Queue depth and job states are read from Redis when ``/metrics`` is scraped
(``entryfiling.ops.web.QueueCollector``), so they are right whichever machine runs the workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.registry import REGISTRY, Collector

HTTP_REQUESTS = Counter(
    "entryfiling_http_requests_total",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "entryfiling_http_request_duration_seconds",
    "HTTP request latency by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
FILINGS = Counter(
    "entryfiling_filings_total",
    "Filings submitted and decided, by business and event (submitted, approved, rejected, manual_review)",
    ["business", "event"],
)
JOB_ATTEMPTS = Counter(
    "entryfiling_job_attempts_total", "Background job attempts by queue, job and outcome", ["queue", "job", "outcome"]
)
WECHAT_PUSHES = Counter(
    "entryfiling_wechat_push_total", "WeChat subscribe-message sends by errcode (0 = delivered)", ["errcode"]
)
REGISTRY_LATENCY = Histogram(
    "entryfiling_registry_request_duration_seconds",
    "National registry HTTP calls by operation",
    ["operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REGISTRY_FAILURES = Counter(
    "entryfiling_registry_failures_total",
    "Failed national registry HTTP calls by operation and reason",
    ["operation", "reason"],
)


def count_filing(business: str, event: str) -> None:
    FILINGS.labels(business, event).inc()


def count_push(errcode: int | str | None) -> None:
    WECHAT_PUSHES.labels("unreachable" if errcode is None else str(errcode)).inc()


def count_job_attempt(queue: str, job: str, outcome: str) -> None:
    JOB_ATTEMPTS.labels(queue, job, outcome).inc()


class _ProcessMetrics(Collector):
    """This process's own samples (when not in multiprocess mode)."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render(extra: Sequence[Collector]) -> bytes:
    """The exposition text of every process of this machine plus ``extra`` collectors."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ProcessMetrics())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)
