"""``reminders`` and ``notifications``: the daily expiry reminders (for the system's cron when
there is no Redis), and the outbox sweep."""

from __future__ import annotations

import json
from datetime import date

import click

from entryfiling.commands.common import command_services


@click.group("reminders")
def reminders_cli() -> None:
    """Expiry reminders (到期提醒)."""


@reminders_cli.command("run")
@click.option("--date", "on", default=None, help="Run as of this day (YYYY-MM-DD); default today (China time).")
def run_command(on: str | None) -> None:
    """Find what lapses within 30 / 7 days or today and tell the filing contacts, once.

    Without Redis, run it daily from the system's cron; with Redis, ``entryfiling jobs cron``
    does it (running this too is harmless: each reminder is recorded once).
    """
    from handlers.reminders import run_reminders

    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        from entryfiling import messages as msg

        raise click.BadParameter(msg.REMINDER_DATE_INVALID, param_hint="--date") from None
    click.echo(json.dumps(run_reminders(command_services(), day), ensure_ascii=False))


@click.group("notifications")
def notifications_cli() -> None:
    """The notification outbox (消息推送)."""


@notifications_cli.command("sweep")
def sweep_command() -> None:
    """Queue pushes that lost their job again; give up on interrupted sends (never resent)."""
    from handlers.push import sweep

    click.echo(json.dumps(sweep(command_services()), ensure_ascii=False))
