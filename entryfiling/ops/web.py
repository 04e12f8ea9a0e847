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
from collections.abc import Callable, Iterator
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from entryfiling import messages as msg
from entryfiling import metrics
from entryfiling.http.caching import StaticAnswer, StaticRoutes, static_reply
from entryfiling.http.errors import problem
from entryfiling.ops.logs import request_id_var
from handlers.readiness import check_readiness

log = logging.getLogger("entryfiling.request")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
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
        client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
        app.extensions["entryfiling_ops_redis"] = client
    return client


# The labelled samples of each (route, method, status) seen, kept: ``labels()`` checks its
# arguments, builds a key and takes a lock on every call, twice a request. As many entries as
# labelled series, which Prometheus holds anyway.
_REQUEST_SAMPLES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    """A request's two samples: the counter and the latency, by route template, method and status."""
    samples = _REQUEST_SAMPLES.get((route, method, status))
    if samples is None:
        label = (route, method, str(status))
        samples = metrics.HTTP_REQUESTS.labels(*label), metrics.HTTP_LATENCY.labels(*label)
        _REQUEST_SAMPLES[route, method, status] = samples
    samples[0].inc()
    samples[1].observe(seconds)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id_token = request_id_var.set(g.request_id)
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    status = response.status_code
    count_request(route, request.method, status, duration)
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
                # Nothing here can hold personal data (a route template, row ids): the redaction
                # filter's pass over every field is skipped for the one line every request writes.
                "_entryfiling_redacted": True,
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
    redis = _redis(current_app)
    checks = check_readiness(current_app.extensions["entryfiling"], redis.ping if redis is not None else None)
    body = {c.part: c.detail for c in checks}
    failing = [c.part for c in checks if not c.ok]
    if failing:
        detail = msg.READY_NOT_READY.format(parts="、".join(c.detail for c in checks if not c.ok))
        response = problem(503, detail, code="not_ready", checks=body, failing=failing)
    else:
        response = cast(Response, current_app.json.response({"status": "ready", "checks": body}))
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/metrics")
def metrics_endpoint() -> Response:
    redis = _redis(current_app)
    queues = current_app.extensions.get("entryfiling_queues", ())
    extra = [QueueCollector(lambda: redis, queues)] if redis is not None else []
    return Response(metrics.render(extra), content_type=CONTENT_TYPE_LATEST)


class QueueCollector(Collector):
    """Queue depth and job states per RQ queue, read from Redis at scrape time."""

    def __init__(self, connection: Callable[[], Any], queues: tuple[str, ...]) -> None:
        self._connection = connection
        self._queues = queues

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("entryfiling_queue_depth", "Jobs waiting in each RQ queue", labels=["queue"])
        states = GaugeMetricFamily(
            "entryfiling_queue_jobs",
            "Jobs in each RQ queue's registries (started, scheduled, finished, failed, deferred)",
            labels=["queue", "state"],
        )
        up = GaugeMetricFamily("entryfiling_redis_up", "Whether Redis answered this scrape")
        try:
            connection = self._connection()
            for name in self._queues:
                queue = Queue(name, connection=connection)
                depth.add_metric([name], queue.count)
                for state, registry in (
                    ("started", queue.started_job_registry),
                    ("scheduled", queue.scheduled_job_registry),
                    ("finished", queue.finished_job_registry),
                    ("failed", queue.failed_job_registry),
                    ("deferred", queue.deferred_job_registry),
                ):
                    states.add_metric([name, state], registry.count)
            up.add_metric([], 1)
        except RedisError:
            up.add_metric([], 0)
            yield up
            return
        yield depth
        yield states
        yield up


# Probes and scrapes every few seconds would drown the request log; they still count in metrics.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


class StaticAnswers:
    """WSGI middleware answering GET/HEAD of paths whose answer never changes while the process
    runs (the business catalogue) before Flask sees the request.

    Flask's request machinery (context, routing, the hooks of both APIs) costs several times what
    sending a prepared answer does, and every phone asks for the catalogue on every start. What the
    hooks give every answer is kept: the request id (given back, or a new one), the request counter
    and latency in metrics. Like the probes, these answers write no request log line (the access
    log of the proxy or of gunicorn has them). A query string, any other method or any other path
    goes to the app as before, so validation and errors stay where they are.
    """

    def __init__(self, flask_app: Flask, answers: StaticRoutes, max_age: int) -> None:
        self._app, self._flask_app, self._answers, self._max_age = flask_app.wsgi_app, flask_app, answers, max_age
        self._built: dict[str, StaticAnswer] = {}

    @property
    def inner(self) -> Any:
        """The application behind (what answers everything else)."""
        return self._app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        found = self._answers.get(path) if method in ("GET", "HEAD") else None
        if found is None or environ.get("QUERY_STRING"):
            return self._app(environ, start_response)
        started = time.perf_counter()
        route, answer_of = found
        answer = self._built.get(path)
        if answer is None:  # built once, on first use, and encoded by the app's JSON provider
            with self._flask_app.app_context():
                answer = self._built[path] = answer_of()
        code, body, headers = static_reply(
            answer, self._max_age, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_ACCEPT_ENCODING")
        )
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        headers.append(("X-Request-ID", incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex))
        if code == 200:
            headers.append(("Content-Length", str(len(body))))
        status = "200 OK" if code == 200 else "304 NOT MODIFIED"
        start_response(status, headers)
        count_request(route, method, code, time.perf_counter() - started)
        return [body if method == "GET" else b""]


def serve_static_answers(app: Flask, answers: StaticRoutes, max_age: int) -> None:
    """Serve ``answers`` (path → route template and answer) ahead of the app (see StaticAnswers)."""
    app.wsgi_app = StaticAnswers(app, answers, max_age)  # type: ignore[method-assign]


def register_operations(app: Flask, queues: tuple[str, ...] = ()) -> None:
    """Request ids, request logs and metrics for every request; the probes; ``queues`` are the RQ
    queues whose depth /metrics reports (handed in: the HTTP layers do not import the job runtime)."""
    app.extensions["entryfiling_queues"] = queues
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
    app.register_blueprint(blp)
