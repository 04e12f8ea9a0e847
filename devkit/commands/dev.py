"""``demo``, ``login``, ``try-first-filing`` and ``dev``: a newcomer's first run on the embedded defaults."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from devkit.demo import DemoCredentials
    from handlers.services import Services


@click.command("demo")
def demo_command() -> None:
    """Load demo enterprises (with dev-CA certificates) and persons; safe to run twice."""
    from entryfiling.app import create_app

    app = create_app()
    services = app.extensions["entryfiling"]
    for item in _load_demo(services):
        click.echo(f"{item.enterprise.name}  {item.enterprise.uscc}  证书 {item.certificate}  私钥 {item.key}")


def _load_demo(services: Services) -> list[DemoCredentials]:
    from devkit.demo import load_demo_data
    from entryfiling.db.session import upgrade_database

    upgrade_database(services.settings.database_url)
    return load_demo_data(services, services.settings.ca_trust_bundle.parent)


@click.command("login")
@click.option("--cert", "cert_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="The service's base URL.")
def login_command(cert_path: Path, key_path: Path, url: str) -> None:
    """Log in like the CA lock does (challenge, sign, login) and print the bearer token."""
    import requests

    from devkit.dev_ca import sign_nonce

    challenge = requests.post(f"{url}/api/v1/auth/challenge", timeout=10)
    challenge.raise_for_status()
    nonce = challenge.json()["nonce"]
    response = requests.post(
        f"{url}/api/v1/auth/login",
        timeout=10,
        json={"certificate": cert_path.read_text(), "nonce": nonce, "signature": sign_nonce(key_path, nonce)},
    )
    if response.status_code != 200:
        raise click.ClickException(response.json().get("detail", response.text))
    click.echo(response.json()["access_token"])


@click.command("try-first-filing")
@click.option("--cert", "cert_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="The service's base URL.")
def try_first_filing_command(cert_path: Path, key_path: Path, url: str) -> None:
    """Walk a whole first filing through the HTTP API of a running service, printing each request."""
    from devkit.tryout import run_first_filing

    try:
        run_first_filing(url, cert_path, key_path, click.echo)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def dev_command(host: str, port: int) -> None:
    """Run everything on the embedded defaults: migrate, dev CA, demo data, stand-ins, the service."""
    from devkit.demo import load_demo_regulator
    from devkit.emulators import start_dev_stand_ins
    from devkit.walkthrough import walkthrough
    from entryfiling.app import create_app

    app = create_app()
    services = app.extensions["entryfiling"]
    credentials = _load_demo(services)
    regulator = load_demo_regulator(services)
    stand_ins = start_dev_stand_ins(services.settings)
    click.echo(walkthrough(f"http://{host}:{port}", credentials, services.settings, stand_ins, regulator))
    sys.stdout.flush()
    app.run(host=host, port=port, threaded=True, use_reloader=False)
