"""Demo data for a newcomer's first run: enterprises with dev-CA certificates, and persons.

Idempotent: running it again reuses what exists. Never loaded in production (only the dev
command calls it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from devkit.demo_data import DEMO_ENTERPRISES, DEMO_PERSONS, DemoEnterprise
from devkit.dev_ca import create_dev_ca, issue_enterprise_certificate
from entryfiling.db.models import Employment, Person, Regulator
from handlers import persons, regulators
from handlers.enterprises import upsert_enterprise
from handlers.services import Services


@dataclass(frozen=True)
class DemoCredentials:
    enterprise: DemoEnterprise
    certificate: Path
    key: Path


DEMO_REGULATOR = "reviewer"


def demo_regulator_password(services: Services) -> str:
    """The demo regulator's password: generated once, kept in the instance folder (dev only)."""
    path = services.settings.instance_path / "demo-regulator-password"
    if not path.exists():
        path.write_text(f"Review{secrets.token_hex(6)}")
        path.chmod(0o600)
    return path.read_text().strip()


def load_demo_regulator(services: Services) -> tuple[str, str]:
    """A regulator account to try the manual-review queue with."""
    password = demo_regulator_password(services)
    with services.uow() as uow:
        exists = uow.session.scalar(select(Regulator.id).where(Regulator.username == DEMO_REGULATOR))
    if exists is None:
        regulators.create_regulator(services, DEMO_REGULATOR, "演示审核员", password)
    return DEMO_REGULATOR, password


def load_demo_data(services: Services, ca_dir: Path) -> list[DemoCredentials]:
    """Enterprises (with certificate and key files) and persons, verified and employed as declared."""
    create_dev_ca(ca_dir)
    credentials = []
    enterprise_ids: dict[str, int] = {}
    for demo in DEMO_ENTERPRISES:
        cert = ca_dir / "enterprises" / f"{demo.uscc}.pem"
        key = ca_dir / "enterprises" / f"{demo.uscc}.key"
        if not (cert.exists() and key.exists()):
            cert, key = issue_enterprise_certificate(
                ca_dir, ca_dir / "enterprises", enterprise_name=demo.name, uscc=demo.uscc
            )
        with services.uow() as uow:
            enterprise, _created = upsert_enterprise(uow.session, demo.uscc, demo.name, services.now())
            enterprise_ids[demo.key] = enterprise.id
            uow.commit()
        credentials.append(DemoCredentials(demo, cert, key))
    for demo_person in DEMO_PERSONS:
        index = services.cipher.blind_index(demo_person.id_number)
        with services.uow() as uow:
            person_id = uow.session.scalar(select(Person.id).where(Person.id_number_index == index))
        if person_id is None:
            person_id = persons.register_person(
                services, demo_person.name, demo_person.id_number, verified=demo_person.verified
            )
        if demo_person.employer is not None:
            employer_id = enterprise_ids[demo_person.employer]
            with services.uow() as uow:
                employed = uow.session.scalar(
                    select(Employment.id).where(
                        Employment.person_id == person_id,
                        Employment.enterprise_id == employer_id,
                        Employment.ended_at.is_(None),
                    )
                )
            if employed is None:
                persons.employ(services, employer_id, person_id)
    return credentials
