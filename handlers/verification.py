"""The facts approval checks beyond the filing itself, gathered before the rules run (rules stay pure).

From our database: the chosen persons' ID numbers, the names already known for the ID numbers written
in the filing, and whether a chosen responsible person already holds that role for another filed
enterprise. From the national registry: every qualification and registered certificate the filing
names, looked up by number and by the person's ID number. The submit path (and a regulator opening a
filing) calls ``verification_facts`` with one line and passes the result into the rule context.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any, TypeVar

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from entryfiling.db.json_paths import json_text
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
from entryfiling.integrations.registry import (
    RegistryClient,
    RegistryNotFound,
    RegistryQualification,
    RegistryQualificationCertificate,
)
from handlers.persons import persons_by_id
from handlers.services import Services

T = TypeVar("T")
#: Registry calls one process makes at once for approvals (a submit makes three or four).
REGISTRY_LOOKUPS_AT_ONCE = 8

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
    persons = persons_by_id(session, chosen).values()
    id_numbers = {p.id: services.cipher.decrypt(p.id_number_sealed) for p in persons}
    return {
        "enterprise_type": enterprise_type,
        "age_range": (services.settings.person_min_age, services.settings.person_max_age),
        "person_id_numbers": id_numbers,
        "known_names_by_id_number": _known_names(services, session, business, sections),
        "roles_elsewhere": _roles_elsewhere(session, business, enterprise, sections),
        "registry": registry_facts(
            partial(services.registry, reuse_answers=True), business, enterprise.uscc, sections, id_numbers
        ),
    }


def registry_facts(
    new_client: Callable[[], RegistryClient],
    business: Business,
    uscc: str,
    sections: Mapping[str, Mapping[str, Any]],
    id_numbers: Mapping[int, str],
) -> RegistryFacts | None:
    """Look up what the filing names; None when it names nothing the registry keeps.

    The lookups are independent of each other, so they are made at once (each on its own client,
    which keeps when its answers were given; the connections are the process's); a submit waits
    for the slowest call instead of for the sum of them (three to four calls).
    """
    numbers = [str(r.get("certificate_number")) for r in qualification_rows(sections) if r.get("certificate_number")]
    numbers = list(dict.fromkeys(numbers)) if business.section("qualifications") else []
    claims = list(claimed_certificates(business, sections))
    if not numbers and not claims:
        return None
    persons = list(dict.fromkeys(n for c in claims if (n := id_numbers.get(c.person_id))))
    made: list[RegistryClient] = []  # appended from the lookup threads (list.append is atomic)

    def client() -> RegistryClient:
        made.append(made_now := new_client())
        return made_now

    try:
        own = _at_once(lambda: _own_qualifications(client(), uscc) if numbers else [])
        held = {n: _at_once(partial(_person_certificates, client, n)) for n in persons}
        qualifications = _registry_qualifications(client, uscc, numbers, own.result())
        certificates = {n: future.result() for n, future in held.items()}
    except ExternalServiceError as exc:
        return RegistryFacts(unavailable=exc.message)
    answers = [c.oldest_answer for c in made if c.oldest_answer is not None]
    return RegistryFacts(
        qualifications=qualifications,
        certificates=certificates,
        answered_at=datetime.fromtimestamp(min(answers), UTC) if answers else None,
    )


_LOOKUPS: ThreadPoolExecutor | None = None


def _forget_lookups() -> None:
    """A forked child (a server worker, a job's work horse) has none of its parent's threads."""
    global _LOOKUPS
    _LOOKUPS = None


os.register_at_fork(after_in_child=_forget_lookups)


def _at_once(call: Callable[[], T]) -> Future[T]:
    """``call`` on the registry lookup threads, in this request's context (its request id in logs)."""
    global _LOOKUPS
    if _LOOKUPS is None:  # made on first use: in a forked server worker, after the fork
        _LOOKUPS = ThreadPoolExecutor(max_workers=REGISTRY_LOOKUPS_AT_ONCE, thread_name_prefix="registry-lookup")
    return _LOOKUPS.submit(contextvars.copy_context().run, call)


def _own_qualifications(client: RegistryClient, uscc: str) -> list[RegistryQualification]:
    try:
        return client.qualifications(uscc)
    except RegistryNotFound:
        return []


def _person_certificates(
    new_client: Callable[[], RegistryClient], id_number: str
) -> tuple[RegistryCertificateRecord, ...]:
    return tuple(
        RegistryCertificateRecord(
            c.certificate_type,
            c.certificate_number,
            c.specialty,
            c.registered_enterprise_uscc,
            c.registered_enterprise_name,
            c.issued_on,
            c.valid_until,
        )
        for c in new_client().certificates(id_number)
    )


def _registry_qualifications(
    new_client: Callable[[], RegistryClient], uscc: str, numbers: list[str], own: list[RegistryQualification]
) -> dict[str, tuple[RegistryQualificationRecord, ...]]:
    found: dict[str, list[RegistryQualificationRecord]] = {}
    for q in own:
        found.setdefault(q.certificate_number, []).append(
            RegistryQualificationRecord(q.name, q.certificate_number, q.valid_until, q.issued_on, uscc, "", q.status)
        )
    # Not under this enterprise: whose is each, if anyone's?
    elsewhere = {n: _at_once(partial(_holder_of, new_client, n)) for n in numbers if n not in found}
    for number, future in elsewhere.items():
        other = future.result()
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


def _holder_of(new_client: Callable[[], RegistryClient], number: str) -> RegistryQualificationCertificate | None:
    return new_client().qualification_certificate(number)


_NAMES_BY_INDEX = select(Person.id_number_index, Person.name).where(
    Person.id_number_index.in_(bindparam("indexes", expanding=True))
)


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
    rows = session.execute(_NAMES_BY_INDEX, {"indexes": list(by_index)})
    return {by_index[index]: name for index, name in rows}


@lru_cache(maxsize=32)
def holders_of_roles(dialect: str, record_keys: tuple[str, ...]) -> Any:
    """Names of the other filed enterprises whose record names a person in one of these parts, as
    one UNION ALL of a query per part, each row marked with the position of the part it answers
    (``asked``). Indexed (migration 0013): without the index every submit walked every filed
    enterprise's record. Built once per dialect and parts, the persons (``person_0``, …) and the
    enterprise bound at execution."""
    queries = [
        select(Enterprise.name, literal(n).label("asked")).where(
            json_text(dialect, "enterprises", "filed_record", key, "person") == bindparam(f"person_{n}"),
            Enterprise.filed_at.is_not(None),
            Enterprise.id != bindparam("enterprise"),
        )
        for n, key in enumerate(record_keys)
    ]
    return queries[0] if len(queries) == 1 else union_all(*queries)


def _roles_elsewhere(
    session: Session, business: Business, enterprise: Enterprise, sections: Mapping[str, Mapping[str, Any]]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Asked in one statement for every exclusive role the filing names (a UNION ALL of the indexed
    query per role), where a query per role was a round trip each."""
    asked: list[tuple[str, int]] = []
    for section in business.sections:
        role = EXCLUSIVE_ROLES.get(section.record_key or "")
        person_id = (sections.get(section.key) or {}).get("person")
        if role is None or person_id is None or section.record_key is None:
            continue
        asked.append((section.record_key, int(person_id)))
    if not asked:
        return {}
    statement = holders_of_roles(session.get_bind().dialect.name, tuple(key for key, _pid in asked))
    params = {"enterprise": enterprise.id, **{f"person_{n}": str(pid) for n, (_key, pid) in enumerate(asked)}}
    holders = session.execute(statement, params).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for n, (key, pid) in enumerate(asked):
        for name, _asked in sorted((row for row in holders if row[1] == n), key=lambda row: row[0]):
            found.setdefault(pid, []).append((EXCLUSIVE_ROLES[key], name))
    return {pid: tuple(roles) for pid, roles in found.items()}
