"""Employment binding (聘用关系): the current and past employments, ending them from either side,
and who may file for an enterprise from the phone (invitations: ``handlers.invitations``).

Ended employments stay as history; only current ones make a person selectable in filings
(``handlers.persons.selectable_persons``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, EmploymentInvitation, Enterprise, Filing, Person
from entryfiling.domain.errors import NotFound, PermissionDenied
from entryfiling.domain.roles import ROLE_LABELS
from entryfiling.domain.validators import mask_id_number
from handlers import tokens
from handlers.persons import FILING_CONTACT, page_envelope
from handlers.services import Actor, Services
from handlers.wechat_users import MiniappUser

ROLES = ROLE_LABELS
# No 0/O, 1/I/L: codes are read aloud and typed on phones.


def present_employment(
    services: Services, employment: Employment, person: Person | None, enterprise: Enterprise | None
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": employment.id,
        "role": employment.role,
        "role_label": ROLES.get(employment.role, employment.role),
        "current": employment.ended_at is None,
        "started_at": employment.started_at.isoformat(),
        "ended_at": employment.ended_at.isoformat() if employment.ended_at else None,
        "ended_by": (employment.ended_by or {}).get("name"),
    }
    if person is not None:
        view["person"] = {
            "id": person.id,
            "name": person.name,
            "id_number": mask_id_number(services.cipher.decrypt(person.id_number_sealed)),
            "verified": person.verified_at is not None,
        }
    if enterprise is not None:
        view["enterprise"] = {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}
    return view


# ---------------------------------------------------------------------------- enterprise side


def list_employments(
    services: Services, actor: Actor, current: bool | None, page: int, page_size: int
) -> dict[str, Any]:
    """The enterprise's employments, current and ended (the history), newest first."""
    query = (
        select(Employment, Person)
        .join(Person, Person.id == Employment.person_id)
        .where(Employment.enterprise_id == actor.enterprise_id)
    )
    if current is True:
        query = query.where(Employment.ended_at.is_(None))
    elif current is False:
        query = query.where(Employment.ended_at.is_not(None))
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.execute(
            query.order_by(Employment.started_at.desc(), Employment.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        items = [present_employment(services, e, p, None) for e, p in rows]
    return page_envelope(items, total, page, page_size)


def end_employment_as_enterprise(services: Services, actor: Actor, employment_id: int) -> dict[str, Any]:
    return _end(services, actor, employment_id, Employment.enterprise_id == actor.enterprise_id, end_sessions=True)


# ---------------------------------------------------------------------------- person side


def current_employment(session: Session, person_id: int | None, enterprise_id: int) -> Employment | None:
    if person_id is None:
        return None
    return session.scalar(
        select(Employment).where(
            Employment.person_id == person_id,
            Employment.enterprise_id == enterprise_id,
            Employment.ended_at.is_(None),
        )
    )


def end_employment_as_person(services: Services, user: MiniappUser, employment_id: int) -> dict[str, Any]:
    if user.person_id is None:
        raise NotFound(msg.EMPLOYMENT_NOT_YOURS)
    return _end(services, user.actor(), employment_id, Employment.person_id == user.person_id)


def _end(
    services: Services, actor: Actor, employment_id: int, belongs: Any, *, end_sessions: bool = False
) -> dict[str, Any]:
    """End an employment; ended by the enterprise, the person's mini-program sessions end with it."""
    now = services.now()
    with services.uow() as uow:
        employment = uow.session.scalar(select(Employment).where(Employment.id == employment_id, belongs))
        if employment is None or employment.ended_at is not None:
            raise NotFound(msg.EMPLOYMENT_NOT_FOUND)
        employment.ended_at = now
        employment.ended_by = actor.as_dict()
        uow.audit(
            actor,
            "employment_ended",
            f"employment:{employment.id}",
            now,
            {"person_id": employment.person_id, "role": employment.role},
            enterprise_id=employment.enterprise_id,
        )
        uow.commit()
        if end_sessions:  # what the phone could do for this enterprise ends now, not when the token expires
            tokens.end_person_sessions(services, employment.person_id, "role_ended")
        person = uow.session.get_one(Person, employment.person_id)
        enterprise = uow.session.get_one(Enterprise, employment.enterprise_id)
        return present_employment(services, employment, person, enterprise)


def filing_contact_actor(services: Services, user: MiniappUser, enterprise_id: int) -> Actor:
    """The actor a filing contact files as: their own name, acting for the enterprise.

    The enterprise's CA login created the invitation that made them contact; that certificate's
    USCC stands in for the certificate the approval rules compare with.
    """
    if user.person_id is None:
        raise PermissionDenied(msg.NOT_A_FILING_CONTACT)
    with services.uow() as uow:
        employment = uow.session.scalar(
            select(Employment).where(
                Employment.person_id == user.person_id,
                Employment.enterprise_id == enterprise_id,
                Employment.role == FILING_CONTACT,
                Employment.ended_at.is_(None),
            )
        )
        if employment is None:
            raise PermissionDenied(msg.NOT_A_FILING_CONTACT)
        invitation = uow.session.scalar(
            select(EmploymentInvitation).where(EmploymentInvitation.employment_id == employment.id)
        )
        inviter = (invitation.created_by or {}) if invitation else {}
    # Invitations record the inviting certificate; its enterprise name is the inviter's name.
    return user.actor(
        enterprise_id, inviter.get("certificate_uscc"), inviter.get("certificate_name", inviter.get("name"))
    )


def filing_contact_actor_for_filing(services: Services, user: MiniappUser, filing_id: int) -> Actor:
    """The contact's actor for the enterprise owning a filing; a filing they may not see is not found."""
    with services.uow() as uow:
        enterprise_id = uow.session.scalar(select(Filing.enterprise_id).where(Filing.id == filing_id))
    if enterprise_id is None:
        raise NotFound(msg.FILING_NOT_FOUND)
    try:
        return filing_contact_actor(services, user, enterprise_id)
    except PermissionDenied:
        raise NotFound(msg.FILING_NOT_FOUND) from None
