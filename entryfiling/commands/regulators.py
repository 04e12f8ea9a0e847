"""``regulators``: the review accounts of the regulator (主管部门审核人员)."""

from __future__ import annotations

import click

from entryfiling.commands.common import command_services, refusals_as_click_errors


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

    with refusals_as_click_errors():
        created = regulators.create_regulator(command_services(), username, name, password)
    click.echo(f"已创建主管部门账号 {created['username']}（{created['name']}）")


@regulators_cli.command("set-password")
@click.option("--username", required=True)
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="REGULATOR_PASSWORD", show_envvar=True
)
def set_password_command(username: str, password: str) -> None:
    """Set a new password; the account's existing tokens stop working."""
    from handlers import regulators

    with refusals_as_click_errors():
        regulators.set_password(command_services(), username, password)
    click.echo(f"已更新 {username} 的密码")


@regulators_cli.command("deactivate")
@click.option("--username", required=True)
def deactivate_command(username: str) -> None:
    """Stop an account (its tokens end at once); ``activate`` undoes it."""
    from handlers import regulators

    with refusals_as_click_errors():
        regulators.set_active(command_services(), username, False)
    click.echo(f"已停用 {username}")


@regulators_cli.command("activate")
@click.option("--username", required=True)
def activate_command(username: str) -> None:
    from handlers import regulators

    with refusals_as_click_errors():
        regulators.set_active(command_services(), username, True)
    click.echo(f"已启用 {username}")
