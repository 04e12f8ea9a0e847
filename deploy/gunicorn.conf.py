"""Gunicorn settings for the web machines (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Every value that differs between machines is an environment variable. Logs are JSON lines on
stderr in the same shape as the application's (entryfiling.ops.logs), access lines included, and
pass the same redaction. Metrics use prometheus_client's multiprocess mode: PROMETHEUS_MULTIPROC_DIR
must name a directory of this machine (emptied here at start-up); dead workers are marked so that
their live gauges disappear while their counters keep counting.
"""

from __future__ import annotations

import glob
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Threads let a worker wait on PostgreSQL, Redis, the object store or WeChat while serving others.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = 200
# Uploads are read by the app itself; gunicorn's own limits only guard the request line and headers.
limit_request_line = 8190
# Which peers may set X-Forwarded-Proto for gunicorn; the app's own proxy trust is TRUSTED_PROXY_HOPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "entryfiling-web"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "entryfiling.ops.logs.RedactingFilter"}},
    "formatters": {
        "json": {"()": "entryfiling.ops.logs.JsonFormatter"},
        "access": {"()": "entryfiling.ops.logs.GunicornAccessFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


def on_starting(server: object) -> None:
    """A fresh metrics directory per start: samples of a previous run's pids must not linger."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):
            os.remove(stale)


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
