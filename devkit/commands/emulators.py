"""``emulators``: run the local stand-ins of outside systems (dev only; loopback by default)."""

from __future__ import annotations

import contextlib

import click

from entryfiling.config import DEV_REGISTRY_PORT, DEV_WECHAT_PORT


@click.group("emulators")
def emulators_cli() -> None:
    """Local stand-ins of outside systems for development (本地模拟服务，仅供开发测试)."""


@emulators_cli.command("wechat")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEV_WECHAT_PORT, show_default=True)
@click.option("--appid", envvar="WECHAT_APPID", default="wx0000000000dev000", show_default=True)
@click.option("--secret", envvar="WECHAT_SECRET", default="dev-wechat-secret", show_default=True)
@click.option(
    "--token-ttl", type=click.IntRange(min=1), default=7200, show_default=True, help="Access-token lifetime (s)."
)
def wechat_command(host: str, port: int, appid: str, secret: str, token_ttl: int) -> None:
    """The WeChat API stand-in; point WECHAT_API_BASE_URL at it (微信接口模拟服务)."""
    from devkit.emulators.wechat import WeChatEmulator

    emulator = WeChatEmulator(appid, secret, token_ttl=token_ttl)
    click.echo(f"WeChat stand-in on http://{host}:{port} (appid {appid}); control endpoints under /__emulator__/")
    emulator.serve_forever(host, port)


@emulators_cli.command("registry")
@click.option("--host", default="127.0.0.1", show_default=True, type=click.Choice(["127.0.0.1", "localhost", "::1"]))
@click.option("--port", default=DEV_REGISTRY_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-demo", is_flag=True, help="Start empty instead of with the demo enterprises and persons.")
def registry_command(host: str, port: int, no_demo: bool) -> None:
    """The national registry stand-in; point REGISTRY_API_BASE_URL at it (全国建筑市场监管公共服务平台模拟服务).

    Faults for tests and demos are switched with PUT /_admin/faults.
    """
    from devkit.emulators.registry import DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_USCC, RegistryStandIn

    stand_in = RegistryStandIn(host, port, seed_demo=not no_demo)
    click.echo(f"registry stand-in on {stand_in.url}  (demo enterprise: {DEMO_ENTERPRISE_NAME} {DEMO_ENTERPRISE_USCC})")
    with contextlib.suppress(KeyboardInterrupt):
        stand_in.serve_forever()


if __name__ == "__main__":
    emulators_cli()
