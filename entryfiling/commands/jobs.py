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
@click.argument("queues", nargs=-1)
def worker_command(burst: bool, no_scheduler: bool, name: str | None, queues: tuple[str, ...]) -> None:
    """Start a worker on QUEUES (default: all of ours)."""
    from rq import Queue, Worker

    from handlers.services import Services
    from jobs import runtime

    settings, connection = _connection()
    runtime.configure(Services.from_settings(settings))
    worker = Worker([Queue(q, connection=connection) for q in queues or QUEUES], connection=connection, name=name)
    worker.work(burst=burst, with_scheduler=not no_scheduler)


@jobs_cli.command("cron")
def cron_command() -> None:
    """Run RQ's cron scheduler: the daily expiry reminders at REMINDER_CRON (server time).

    One is enough; a second one only enqueues the same idempotent run twice.
    """
    from rq.cron import CronScheduler

    from jobs.notifications import send_reminders
    from jobs.queues import REMINDERS_QUEUE, REMINDERS_TIMEOUT

    settings, connection = _connection()
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
