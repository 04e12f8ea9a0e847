"""The facts approval checks beyond the filing itself, gathered before the rules run (rules stay pure).

From our database: the chosen persons' ID numbers, the names already known for the ID numbers written
in the filing, and whether a chosen responsible person already holds that role for another filed
enterprise. From the national registry: every qualification and registered certificate the filing
names, looked up by number and by the person's ID number. The submit path (and a regulator opening a
filing) calls ``verification_facts`` with one line and passes the result into the rule context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from entryfiling.db.models import Enterprise, Person
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import ExternalServiceError
from entryfiling.domain.fields import FieldType, person_ids
from entryfiling.domain.registry_checks import (
    RegistryCertificateRecord,
    RegistryFacts,
    RegistryQualificationRecord,
    claimed_certificates,
    qualification_rows,
)
from entryfiling.integrations.registry import RegistryClient, RegistryNotFound
from handlers.services import Services

# Record parts whose person holds a role one enterprise at a time, with the role's label.
EXCLUSIVE_ROLES = {"responsible_person": "进疆负责人", "technical_person": "进疆技术负责人"}


def verification_facts(
    services: Services,
    session: Session,
    business: Business,
    enterprise: Enterprise,
    enterprise_type: str,
    sections: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """Keyword arguments of ApprovalContext the plausibility rules read."""
    chosen = {pid for s in business.sections for _p, _f, pid in person_ids(s, sections.get(s.key) or {})}
    persons = session.scalars(select(Person).where(Person.id.in_(chosen))).all() if chosen else []
    id_numbers = {p.id: services.cipher.decrypt(p.id_number_sealed) for p in persons}
    return {
        "enterprise_type": enterprise_type,
        "age_range": (services.settings.person_min_age, services.settings.person_max_age),
        "person_id_numbers": id_numbers,
        "known_names_by_id_number": _known_names(services, session, business, sections),
        "roles_elsewhere": _roles_elsewhere(session, business, enterprise, sections),
        "registry": registry_facts(services.registry(), business, enterprise.uscc, sections, id_numbers),
    }


def registry_facts(
    client: RegistryClient,
    business: Business,
    uscc: str,
    sections: Mapping[str, Mapping[str, Any]],
    id_numbers: Mapping[int, str],
) -> RegistryFacts | None:
    """Look up what the filing names; None when it names nothing the registry keeps."""
    numbers = [str(r.get("certificate_number")) for r in qualification_rows(sections) if r.get("certificate_number")]
    numbers = numbers if business.section("qualifications") else []
    claims = list(claimed_certificates(business, sections))
    if not numbers and not claims:
        return None
    try:
        qualifications = _registry_qualifications(client, uscc, numbers)
        certificates: dict[str, tuple[RegistryCertificateRecord, ...]] = {}
        for claim in claims:
            id_number = id_numbers.get(claim.person_id)
            if id_number and id_number not in certificates:
                certificates[id_number] = tuple(
                    RegistryCertificateRecord(
                        c.certificate_type,
                        c.certificate_number,
                        c.specialty,
                        c.registered_enterprise_uscc,
                        c.registered_enterprise_name,
                        c.issued_on,
                        c.valid_until,
                    )
                    for c in client.certificates(id_number)
                )
    except ExternalServiceError as exc:
        return RegistryFacts(unavailable=exc.message)
    return RegistryFacts(qualifications=qualifications, certificates=certificates)


def _registry_qualifications(
    client: RegistryClient, uscc: str, numbers: list[str]
) -> dict[str, tuple[RegistryQualificationRecord, ...]]:
    if not numbers:
        return {}
    try:
        own = client.qualifications(uscc)
    except RegistryNotFound:
        own = []
    found: dict[str, list[RegistryQualificationRecord]] = {}
    for q in own:
        found.setdefault(q.certificate_number, []).append(
            RegistryQualificationRecord(q.name, q.certificate_number, q.valid_until, q.issued_on, uscc, "", q.status)
        )
    for number in numbers:
        if number in found:
            continue
        # Not under this enterprise: whose is it, if anyone's?
        other = client.qualification_certificate(number)
        if other is not None:
            found[number] = [
                RegistryQualificationRecord(
                    q.name,
                    q.certificate_number,
                    q.valid_until,
                    q.issued_on,
                    other.holder_uscc,
                    other.holder_name,
                    q.status,
                )
                for q in other.qualifications
            ]
    return {number: tuple(records) for number, records in found.items()}


def _known_names(
    services: Services, session: Session, business: Business, sections: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The registered name of every ID number typed in the filing that belongs to a known person."""
    numbers = {
        value
        for section in business.sections
        for fld in section.fields
        if fld.type is FieldType.ID_NUMBER and isinstance(value := (sections.get(section.key) or {}).get(fld.key), str)
    }
    by_index = {services.cipher.blind_index(number): number for number in numbers}
    if not by_index:
        return {}
    rows = session.execute(select(Person.id_number_index, Person.name).where(Person.id_number_index.in_(by_index)))
    return {by_index[index]: name for index, name in rows}


def _roles_elsewhere(
    session: Session, business: Business, enterprise: Enterprise, sections: Mapping[str, Mapping[str, Any]]
) -> dict[int, tuple[tuple[str, str], ...]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for section in business.sections:
        role = EXCLUSIVE_ROLES.get(section.record_key or "")
        person_id = (sections.get(section.key) or {}).get("person")
        if role is None or person_id is None or section.record_key is None:
            continue
        holder = Enterprise.filed_record[(section.record_key, "person")].as_integer()
        others = session.scalars(
            select(Enterprise.name).where(
                Enterprise.filed_at.is_not(None), Enterprise.id != enterprise.id, holder == int(person_id)
            )
        ).all()
        for name in others:
            found.setdefault(int(person_id), []).append((role, name))
    return {pid: tuple(roles) for pid, roles in found.items()}
