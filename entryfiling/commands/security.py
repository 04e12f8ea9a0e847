"""``audit`` and ``keys``: the audit log's retention prune, and the rotation of the ID-number key."""

from __future__ import annotations

import click

from entryfiling.commands.common import command_services
from handlers import audit
from handlers.key_rotation import rotate_id_encryption


@click.group("audit")
def audit_cli() -> None:
    """The security audit log."""


@audit_cli.command("prune")
def prune_command() -> None:
    """Delete audit rows older than AUDIT_RETENTION_DAYS (at least 180); run it daily from cron."""
    services = command_services()
    removed = audit.prune(services)
    click.echo(f"removed {removed} audit rows older than {services.settings.audit_retention_days} days")


@click.group("keys")
def keys_cli() -> None:
    """Encryption keys of data at rest."""


@keys_cli.command("rotate-id-encryption")
def rotate_id_encryption_command() -> None:
    """Re-encrypt stored ID numbers under ID_ENCRYPTION_KEY (old keys in ID_ENCRYPTION_PREVIOUS_KEYS)."""
    services = command_services()
    if not services.settings.id_encryption_previous_keys:
        raise click.ClickException("set ID_ENCRYPTION_PREVIOUS_KEYS to the key(s) being replaced")
    report = rotate_id_encryption(services)
    for table, count in sorted(report.counts.items()):
        click.echo(f"{table}: {count} rows re-encrypted")
    click.echo("done: ID_ENCRYPTION_PREVIOUS_KEYS can now be removed from every process")
