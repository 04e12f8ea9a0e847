"""The development commands the ``entryfiling`` command registers (one list, so adding one is one line)."""

from __future__ import annotations

import click

from devkit.commands.dev import demo_command, dev_command, login_command, try_first_filing_command
from devkit.commands.dev_ca import ca_cli
from devkit.commands.emulators import emulators_cli

DEV_COMMANDS: tuple[click.Command, ...] = (
    ca_cli,
    emulators_cli,
    demo_command,
    login_command,
    try_first_filing_command,
    dev_command,
)
