"""The operational HTTP surface: request ids and request logs, ``/healthz``, ``/readyz``, ``/metrics``.

Every request gets an id (``X-Request-ID`` accepted from the proxy when well-formed, else a new
one), returned in the response and attached to every log line written while serving it; each
request ends with one JSON log line (route template, method, status, duration, actor, outcome) and
its Prometheus samples. Routes are templates (``/api/v1/filings/<int:filing_id>``), never paths, so
no identifier reaches a log or a metric label.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request

from entryfiling import messages as msg
from entryfiling.ops import metrics
from entryfiling.ops.logs import request_id_var

log = logging.getLogger("entryfiling.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UNMATCHED_ROUTE = "<unmatched>"

blp = Blueprint("operations", __name__)


def note_actor(kind: str, ident: object) -> None:
    """Who the current request acts for, as ``kind:id`` (row ids only, never names or numbers)."""
    g.log_actor = f"{kind}:{ident}"


def _redis(app: Flask) -> Any:
    """One Redis client per app for readiness and queue metrics, with short timeouts."""
    url = app.extensions["entryfiling"].settings.redis_url
    if not url:
        return None
    client = app.extensions.get("entryfiling_ops_redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        app.extensions["entryfiling_ops_redis"] = client
    return client


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_id_token = request_id_var.set(g.request_id)
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    status = response.status_code
    metrics.HTTP_REQUESTS.labels(route, request.method, str(status)).inc()
    metrics.HTTP_LATENCY.labels(route, request.method).observe(duration)
    if route not in _QUIET_ROUTES:
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": status,
                "duration_ms": round(duration * 1000, 1),
                "actor": g.get("log_actor", "anonymous"),
                "outcome": "ok" if status < 400 else "refused" if status < 500 else "error",
            },
        )
    return response


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


@blp.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive and serving (no dependency is asked)."""
    return {"status": "ok"}


@blp.get("/readyz")
def readyz() -> Response:
    """Ready when every dependency answers; 503 naming the parts that do not."""
    from entryfiling.web_api.errors import problem
    from handlers.readiness import check_readiness

    redis = _redis(current_app)
    checks = check_readiness(current_app.extensions["entryfiling"], redis.ping if redis is not None else None)
    body = {c.part: c.detail for c in checks}
    failing = [c.part for c in checks if not c.ok]
    if failing:
        detail = msg.READY_NOT_READY.format(parts="、".join(c.detail for c in checks if not c.ok))
        response = problem(503, detail, code="not_ready", checks=body, failing=failing)
    else:
        response = current_app.json.response({"status": "ready", "checks": body})
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/metrics")
def metrics_endpoint() -> Response:
    from jobs.queues import QUEUES

    redis = _redis(current_app)
    extra = [metrics.QueueCollector(lambda: redis, QUEUES)] if redis is not None else []
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(metrics.render(extra), content_type=CONTENT_TYPE_LATEST)


# Probes and scrapes every few seconds would drown the request log; they still count in metrics.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def register_operations(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
    app.register_blueprint(blp)
