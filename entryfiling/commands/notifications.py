"""``regulators``, ``reminders`` and ``notifications``: review accounts, the daily expiry
reminders (for the system's cron when there is no Redis), and the outbox sweep."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from handlers.services import Services


def _services() -> Services:
    """Services like the worker's: RQ when REDIS_URL is set, else each push runs once, inline."""
    from entryfiling.config import load_settings
    from handlers.services import Services
    from jobs.dispatcher import InlineDispatcher, RQDispatcher

    settings = load_settings()
    services = Services.from_settings(settings)
    services.dispatcher = RQDispatcher(settings.redis_url) if settings.redis_url else InlineDispatcher(lambda: services)
    return services


@contextmanager
def _refusals_as_click_errors() -> Iterator[None]:
    """A refusal of the use case is printed as the command's error (its Chinese message), not a trace."""
    from entryfiling.domain.errors import DomainError

    try:
        yield
    except DomainError as error:
        raise click.ClickException(error.message) from None


# ---------------------------------------------------------------------------- regulators


@click.group("regulators")
def regulators_cli() -> None:
    """Regulator accounts (主管部门审核人员)."""


@regulators_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", required=True, help="The reviewer's name, shown in filing histories.")
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="REGULATOR_PASSWORD", show_envvar=True
)
def create_command(username: str, name: str, password: str) -> None:
    """Create an account; the password is asked for (or taken from REGULATOR_PASSWORD)."""
    from handlers import regulators

    with _refusals_as_click_errors():
        created = regulators.create_regulator(_services(), username, name, password)
    click.echo(f"已创建主管部门账号 {created['username']}（{created['name']}）")


@regulators_cli.command("set-password")
@click.option("--username", required=True)
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="REGULATOR_PASSWORD", show_envvar=True
)
def set_password_command(username: str, password: str) -> None:
    """Set a new password; the account's existing tokens stop working."""
    from handlers import regulators

    with _refusals_as_click_errors():
        regulators.set_password(_services(), username, password)
    click.echo(f"已更新 {username} 的密码")


@regulators_cli.command("deactivate")
@click.option("--username", required=True)
def deactivate_command(username: str) -> None:
    """Stop an account (its tokens end at once); ``activate`` undoes it."""
    from handlers import regulators

    with _refusals_as_click_errors():
        regulators.set_active(_services(), username, False)
    click.echo(f"已停用 {username}")


@regulators_cli.command("activate")
@click.option("--username", required=True)
def activate_command(username: str) -> None:
    from handlers import regulators

    with _refusals_as_click_errors():
        regulators.set_active(_services(), username, True)
    click.echo(f"已启用 {username}")


# ---------------------------------------------------------------------------- reminders, sweep


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
    click.echo(json.dumps(run_reminders(_services(), day), ensure_ascii=False))


@click.group("notifications")
def notifications_cli() -> None:
    """The notification outbox (消息推送)."""


@notifications_cli.command("sweep")
def sweep_command() -> None:
    """Queue pushes that lost their job again; give up on interrupted sends (never resent)."""
    from handlers.push import sweep

    click.echo(json.dumps(sweep(_services()), ensure_ascii=False))
