"""``jobs``: run an RQ worker for our queues, and show what the queues hold.

The worker builds its Services from the same environment as the web app (DATABASE_URL,
REDIS_URL, REGISTRY_API_BASE_URL, …) and runs with RQ's scheduler, which rq.Retry's waits need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from jobs.queues import QUEUES

if TYPE_CHECKING:
    from redis import Redis

    from entryfiling.config import Settings


@click.group("jobs")
def jobs_cli() -> None:
    """Background jobs on RQ (后台任务)."""


def _connection() -> tuple[Settings, Redis]:
    from redis import Redis

    from entryfiling.config import load_settings

    settings = load_settings()
    if not settings.redis_url:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inside the web process")
    return settings, Redis.from_url(settings.redis_url)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--no-scheduler", is_flag=True, help="Without RQ's scheduler (retries then need another worker's).")
@click.option("--name", default=None, help="Worker name (default: RQ's).")
@click.option(
    "--fork",
    is_flag=True,
    help="Fork a work horse per job (RQ's default) instead of running jobs in the worker process.",
)
@click.option(
    "--metrics-port",
    envvar="WORKER_METRICS_PORT",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve this machine's job metrics for Prometheus on this port (needs PROMETHEUS_MULTIPROC_DIR).",
)
@click.option("--metrics-host", envvar="WORKER_METRICS_HOST", default="0.0.0.0", show_default=True)
@click.argument("queues", nargs=-1)
def worker_command(
    burst: bool,
    no_scheduler: bool,
    name: str | None,
    fork: bool,
    metrics_port: int | None,
    metrics_host: str,
    queues: tuple[str, ...],
) -> None:
    """Start a worker on QUEUES (default: all of ours, pushes first).

    Jobs run in the worker process itself (RQ's SimpleWorker) unless --fork: forking a work horse
    per job cost this app more than 100 ms a job (measured: a push's p50 went from 1.4 s to 21 ms
    at 10 decisions a second, see README "Measuring"). Our jobs take ids, load what they need and
    are idempotent, the services are built once per process, and the time limit still holds
    (RQ's SIGALRM death penalty in the worker's main thread).
    """
    from rq import Queue, SimpleWorker, Worker
    from rq.worker import BaseWorker

    from entryfiling.ops.logs import configure_logging
    from handlers.services import Services
    from jobs import runtime
    from jobs.worker import work_until_stopped

    settings, connection = _connection()
    configure_logging(settings.log_level, settings.log_format)
    if metrics_port is not None:
        _serve_worker_metrics(metrics_host, metrics_port)
    runtime.configure(Services.from_settings(settings))

    worker_class: type[BaseWorker] = Worker if fork else SimpleWorker

    def make_worker() -> BaseWorker:
        listened = [Queue(q, connection=connection) for q in queues or QUEUES]
        return worker_class(listened, connection=connection, name=name)

    work_until_stopped(make_worker, burst=burst, with_scheduler=not no_scheduler)


def _serve_worker_metrics(host: str, port: int) -> None:
    """Job attempts and WeChat pushes are counted by the worker process (or, with --fork, by RQ's forked
    work horses): their samples are kept in prometheus_client's multiprocess directory, which this
    endpoint adds up."""
    import os

    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        raise click.ClickException("--metrics-port needs PROMETHEUS_MULTIPROC_DIR (jobs run in forked processes)")
    os.makedirs(directory, exist_ok=True)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, addr=host, registry=registry)
    click.echo(f"job metrics on http://{host}:{port}/metrics")


@jobs_cli.command("cron")
def cron_command() -> None:
    """Run RQ's cron scheduler: the daily expiry reminders at REMINDER_CRON (server time).

    One is enough; a second one only enqueues the same idempotent run twice.
    """
    from rq.cron import CronScheduler

    from entryfiling.ops.logs import configure_logging
    from jobs.notifications import send_reminders
    from jobs.queues import REMINDERS_QUEUE, REMINDERS_TIMEOUT

    settings, connection = _connection()
    configure_logging(settings.log_level, settings.log_format)
    scheduler = CronScheduler(connection=connection)
    scheduler.register(
        send_reminders,
        REMINDERS_QUEUE,
        cron=settings.reminder_cron,
        job_timeout=REMINDERS_TIMEOUT,
        name="expiry-reminders",
    )
    click.echo(f"到期提醒：按 cron “{settings.reminder_cron}” 加入队列 {REMINDERS_QUEUE}")
    scheduler.start()  # type: ignore[no-untyped-call]


@jobs_cli.command("status")
def status_command() -> None:
    """Jobs per queue and registry, and the workers (like `rq info`)."""
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    _settings, connection = _connection()
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        scheduled = ScheduledJobRegistry(name, connection=connection).count  # type: ignore[no-untyped-call]
        click.echo(
            f"{name}: queued={queue.count} started={StartedJobRegistry(name, connection=connection).count} "
            f"scheduled={scheduled} "
            f"failed={FailedJobRegistry(name, connection=connection).count}"
        )
    for worker in Worker.all(connection=connection):
        click.echo(f"worker {worker.name}: {worker.get_state()} queues={','.join(worker.queue_names())}")


if __name__ == "__main__":
    jobs_cli()
