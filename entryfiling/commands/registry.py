"""``registry``: the local stand-in of the national construction market registry, and demo data.

``registry serve`` listens on loopback only (default 127.0.0.1:8702, the embedded default of
REGISTRY_API_BASE_URL). ``registry demo-persons`` registers the demo persons in our database as
verified and employed by an enterprise, which is what the mini-program does for real users.
"""

from __future__ import annotations

import contextlib

import click

from entryfiling.config import DEV_REGISTRY_PORT


@click.group("registry")
def registry_cli() -> None:
    """National registry stand-in (全国建筑市场监管公共服务平台 模拟服务，开发与测试用)."""


@registry_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, type=click.Choice(["127.0.0.1", "localhost", "::1"]))
@click.option("--port", default=DEV_REGISTRY_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-demo", is_flag=True, help="Start empty instead of with the demo enterprises and persons.")
def serve_command(host: str, port: int, no_demo: bool) -> None:
    """Serve the registry API; faults are switched with PUT /_admin/faults."""
    from entryfiling.emulators.registry import DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_USCC, RegistryStandIn

    stand_in = RegistryStandIn(host, port, seed_demo=not no_demo)
    click.echo(f"registry stand-in on {stand_in.url}  (demo enterprise: {DEMO_ENTERPRISE_NAME} {DEMO_ENTERPRISE_USCC})")
    with contextlib.suppress(KeyboardInterrupt):
        stand_in.serve_forever()


@registry_cli.command("demo-persons")
@click.option("--uscc", default=None, help="Employing enterprise (default: the demo enterprise).")
def demo_persons_command(uscc: str | None) -> None:
    """Register the demo persons as verified and employed by the enterprise (it must have logged in once)."""
    from sqlalchemy import select

    from entryfiling.config import load_settings
    from entryfiling.db.models import Enterprise, Person
    from entryfiling.emulators.registry import DEMO_ENTERPRISE_USCC, DEMO_PERSONS
    from handlers import persons
    from handlers.services import Services

    services = Services.from_settings(load_settings())
    uscc = uscc or DEMO_ENTERPRISE_USCC
    with services.uow() as uow:
        enterprise_id = uow.session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
    if enterprise_id is None:
        raise click.ClickException(f"enterprise {uscc} not found: log in once with its CA certificate first")
    for demo in DEMO_PERSONS:
        index = services.cipher.blind_index(demo.id_number)
        with services.uow() as uow:
            person_id = uow.session.scalar(select(Person.id).where(Person.id_number_index == index))
        if person_id is None:
            person_id = persons.register_person(services, demo.name, demo.id_number, verified=True)
        try:
            persons.employ(services, enterprise_id, person_id)
        except Exception as exc:  # already employed: nothing to do
            click.echo(f"{demo.name}: {getattr(exc, 'message', exc)}")
            continue
        click.echo(f"{demo.name} (person {person_id}) employed by {uscc}")


if __name__ == "__main__":
    registry_cli()
