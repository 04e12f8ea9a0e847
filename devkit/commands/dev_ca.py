"""``dev-ca``: make a local CA, issue enterprise certificates and sign nonces like a CA lock.

For development and tests only: it lets a newcomer log in as an enterprise without a real
USB key. The default directory is ``instance/dev-ca`` under the current directory, whose
``ca.pem`` is the embedded default of ``CA_TRUST_BUNDLE``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from stdnum.cn import uscc as uscc_checker

from devkit.dev_ca import (
    DEFAULT_LEAF_DAYS,
    create_dev_ca,
    issue_enterprise_certificate,
    sign_nonce,
)
from entryfiling import messages as msg

DEFAULT_CA_DIR = Path("instance") / "dev-ca"

_dir_option = click.option(
    "--dir",
    "ca_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CA_DIR,
    show_default=True,
    help="Dev CA directory (holds ca.pem / ca.key).",
)


@click.group("dev-ca")
def ca_cli() -> None:
    """Development CA for enterprise CA-lock login (开发用 CA，切勿用于生产)."""


@ca_cli.command("init")
@_dir_option
@click.option("--days", type=click.IntRange(min=1), default=3650, show_default=True, help="Root validity.")
def init_command(ca_dir: Path, days: int) -> None:
    """Create the dev root CA; reuses an existing one (初始化开发用根 CA)."""
    try:
        cert_path, key_path = create_dev_ca(ca_dir, days=days)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(msg.DEV_CA_READY.format(cert=cert_path.resolve(), key=key_path.resolve()))


@ca_cli.command("issue")
@click.option("--name", "enterprise_name", required=True, help="Enterprise name (O / CN).")
@click.option("--uscc", required=True, help="统一社会信用代码 (subject serialNumber).")
@click.option("--key-type", type=click.Choice(["rsa", "ec"]), default="rsa", show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=DEFAULT_LEAF_DAYS, show_default=True, help="Validity.")
@click.option("--via-intermediate", is_flag=True, help="Issue from an intermediate CA (chain in the PEM).")
@_dir_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory  [default: <dir>/enterprises]",
)
def issue_command(
    enterprise_name: str,
    uscc: str,
    key_type: str,
    days: int,
    via_intermediate: bool,
    ca_dir: Path,
    out_dir: Path | None,
) -> None:
    """Issue an enterprise login certificate (签发企业证书)."""
    if not uscc_checker.is_valid(uscc):
        click.echo(msg.DEV_CA_USCC_WARNING.format(uscc=uscc), err=True)
    now = datetime.now(UTC)
    try:
        cert_path, key_path = issue_enterprise_certificate(
            ca_dir,
            out_dir if out_dir is not None else ca_dir / "enterprises",
            enterprise_name=enterprise_name,
            uscc=uscc,
            key_type="ec" if key_type == "ec" else "rsa",
            not_before=now - timedelta(minutes=5),
            not_after=now + timedelta(days=days),
            via_intermediate=via_intermediate,
        )
    except (FileNotFoundError, FileExistsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(msg.DEV_CA_ISSUED.format(cert=cert_path.resolve(), key=key_path.resolve()))


@ca_cli.command("sign-nonce")
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Enterprise private key (PEM).",
)
@click.option("--nonce", required=True, help="The login nonce issued by the server.")
def sign_nonce_command(key_path: Path, nonce: str) -> None:
    """Print the base64 signature of NONCE only, for use in $(...) (用私钥签名登录随机数)."""
    try:
        signature = sign_nonce(key_path, nonce)
    except (ValueError, TypeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(signature)
