"""Persons, their real-name verification and their employment by enterprises.

The mini-program verifies and binds persons; the filings choose among them. Only verified,
currently employed persons are selectable (rules.person_refusal holds that rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Enterprise, Person
from entryfiling.domain.errors import Conflict, NotFound
from entryfiling.domain.rules import PersonFacts
from entryfiling.domain.validators import mask_id_number, normalize_id_number
from handlers import tokens
from handlers.services import SYSTEM, Actor, Services

EMPLOYEE = "employee"
FILING_CONTACT = "filing_contact"
#: Where ``remembered_persons`` keeps the persons a session read (``session.info``).
_PERSONS_READ = "persons_read"


def remembered_persons(session: Session) -> dict[int, Person]:
    """The persons this session has read whole so far (``persons_by_id``, ``person_facts``), by id:
    an approval reads the chosen persons once, and its later reads (their names, the filing's view)
    take them from here."""
    remembered: dict[int, Person] = session.info.setdefault(_PERSONS_READ, {})
    return remembered


def register_person(
    services: Services, name: str, id_number: str, *, verified: bool = False, actor: Actor = SYSTEM
) -> int:
    """A person known by name and ID number; the ID is stored sealed and indexed by HMAC."""
    id_number = normalize_id_number(id_number)
    index = services.cipher.blind_index(id_number)
    now = services.now()
    with services.uow() as uow:
        known = select(Person.id).where(Person.id_number_index.in_(services.cipher.blind_indexes(id_number)))
        if uow.session.scalar(known) is not None:
            raise Conflict(msg.PERSON_ID_TAKEN)
        person = Person(
            name=name.strip(),
            id_number_sealed=services.cipher.encrypt(id_number),
            id_number_index=index,
            verified_at=now if verified else None,
            created_at=now,
        )
        uow.session.add(person)
        uow.session.flush()
        uow.audit(actor, "person_registered", f"person:{person.id}", now, {"verified": verified})
        uow.commit()
        return person.id


def mark_verified(services: Services, person_id: int, *, actor: Actor = SYSTEM) -> None:
    now = services.now()
    with services.uow() as uow:
        person = uow.session.get(Person, person_id)
        if person is None:
            raise NotFound(msg.PERSON_NOT_FOUND)
        person.verified_at = now
        uow.audit(actor, "person_verified", f"person:{person_id}", now)
        uow.commit()


def employ(
    services: Services, enterprise_id: int, person_id: int, role: str = EMPLOYEE, *, actor: Actor = SYSTEM
) -> int:
    now = services.now()
    with services.uow() as uow:
        if uow.session.get(Person, person_id) is None:
            raise NotFound(msg.PERSON_NOT_FOUND)
        if uow.session.get(Enterprise, enterprise_id) is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        active = select(Employment.id).where(
            Employment.person_id == person_id, Employment.enterprise_id == enterprise_id, Employment.ended_at.is_(None)
        )
        if uow.session.scalar(active) is not None:
            raise Conflict(msg.PERSON_ALREADY_EMPLOYED)
        employment = Employment(person_id=person_id, enterprise_id=enterprise_id, role=role, started_at=now)
        uow.session.add(employment)
        uow.session.flush()
        uow.audit(
            actor,
            "employment_started",
            f"employment:{employment.id}",
            now,
            {"person_id": person_id, "role": role},
            enterprise_id=enterprise_id,
        )
        uow.commit()
        return employment.id


def end_employment(services: Services, employment_id: int, *, actor: Actor = SYSTEM) -> None:
    now = services.now()
    with services.uow() as uow:
        employment = uow.session.get(Employment, employment_id)
        if employment is None or employment.ended_at is not None:
            raise NotFound(msg.EMPLOYMENT_NOT_FOUND)
        employment.ended_at = now
        uow.audit(actor, "employment_ended", f"employment:{employment_id}", now, enterprise_id=employment.enterprise_id)
        uow.commit()
    tokens.end_person_sessions(services, employment.person_id, "role_ended")


def persons_by_id(session: Session, person_ids: Iterable[int]) -> dict[int, Person]:
    """The persons with these ids, remembered for the session: an approval needs the chosen persons
    for the rules' facts, again for their ID numbers and their names for the record; those read
    once are not asked for again (the session's identity map holds them only weakly), the rest in
    one query."""
    wanted = set(person_ids)
    known = remembered_persons(session)
    if missing := wanted - known.keys():
        known.update((p.id, p) for p in session.scalars(select(Person).where(Person.id.in_(missing))))
    return {pid: known[pid] for pid in wanted if pid in known}


# Built once, the ids bound at execution (every submit asks it).
_PERSONS_WITH_EMPLOYERS = (
    select(Person, Employment.enterprise_id)
    .outerjoin(Employment, (Employment.person_id == Person.id) & Employment.ended_at.is_(None))
    .where(Person.id.in_(bindparam("ids", expanding=True)))
)


def person_facts(session: Session, person_ids: Iterable[int]) -> dict[int, PersonFacts]:
    """What the rules need to know of each chosen person: the persons with their current employers,
    in one statement (a LEFT JOIN, a row per current employment); the persons are remembered for the
    session as ``persons_by_id`` remembers them, so the approval's later reads ask no more."""
    ids = set(person_ids)
    if not ids:
        return {}
    employed: dict[int, set[int]] = {}
    persons: dict[int, Person] = {}
    rows = session.execute(_PERSONS_WITH_EMPLOYERS, {"ids": list(ids)})
    for person, enterprise_id in rows:
        persons[person.id] = person
        employers = employed.setdefault(person.id, set())
        if enterprise_id is not None:
            employers.add(enterprise_id)
    remembered_persons(session).update(persons)
    return {
        p.id: PersonFacts(p.id, p.name, p.verified_at is not None, frozenset(employed[p.id])) for p in persons.values()
    }


def selectable_persons(
    services: Services, actor: Actor, query: str | None, page: int, page_size: int
) -> dict[str, Any]:
    """The enterprise's verified, currently employed persons: what person fields choose from."""
    with services.uow() as uow:
        base = (
            select(Person, Employment)
            .join(Employment, Employment.person_id == Person.id)
            .where(
                Employment.enterprise_id == actor.enterprise_id,
                Employment.ended_at.is_(None),
                Person.verified_at.is_not(None),
            )
        )
        if query:
            base = base.where(Person.name.contains(query.strip(), autoescape=True))
        total = uow.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        rows = uow.session.execute(
            base.order_by(Person.name, Person.id).offset((page - 1) * page_size).limit(page_size)
        ).all()
        items = [
            {
                "id": person.id,
                "name": person.name,
                "id_number": mask_id_number(services.cipher.decrypt(person.id_number_sealed)),
                "role": employment.role,
                "employed_since": employment.started_at.isoformat(),
            }
            for person, employment in rows
        ]
    return page_envelope(items, total, page, page_size)


def page_envelope(items: list[Any], total: int, page: int, page_size: int) -> dict[str, Any]:
    return {
        "items": items,
        "total": total,
        "page": page,
        "page_size": page_size,
        "pages": (total + page_size - 1) // page_size,
    }
