"""The ``entryfiling`` command: database, jobs, regulator accounts, reminders, and the dev tools.

The development command groups (dev CA, stand-ins, demo data, login and try-out helpers, the dev
server) live in ``devkit``; they are registered here so developers and operators use one command.
"""

from __future__ import annotations

import click

from devkit.cli import DEV_COMMANDS
from entryfiling.commands.jobs import jobs_cli
from entryfiling.commands.notifications import notifications_cli, reminders_cli
from entryfiling.commands.regulators import regulators_cli
from entryfiling.commands.security import audit_cli, keys_cli


@click.group()
def main() -> None:
    """区外建设工程企业进疆信息报送管理系统 — backend commands."""


for _command in (jobs_cli, regulators_cli, reminders_cli, notifications_cli, audit_cli, keys_cli, *DEV_COMMANDS):
    main.add_command(_command)


@main.group("db")
def db_cli() -> None:
    """Database schema (Alembic migrations)."""


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations to DATABASE_URL (the embedded SQLite file by default)."""
    from entryfiling.config import load_settings
    from entryfiling.db.session import upgrade_database

    settings = load_settings()
    upgrade_database(settings.database_url, revision)
    click.echo(f"数据库已升级到 {revision}")


if __name__ == "__main__":
    main()
