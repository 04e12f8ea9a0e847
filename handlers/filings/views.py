"""How a filing is shown: typed read models shared by every entry point.

ID numbers are masked here, the one place read models are built; chosen persons are shown with
their name so the user sees whom they picked. Read models carry no URLs: each HTTP layer links
them to its own routes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session

from entryfiling.db.drafts import StoredDraft
from entryfiling.db.models import Attachment, Filing
from entryfiling.db.repositories import StoredAttachment, StoredFiling, persons_shown
from entryfiling.domain.businesses import BUSINESSES, ENTERPRISE_TYPE_LABELS, Business, EnterpriseType
from entryfiling.domain.fields import (
    FieldType,
    Missing,
    MissingAttachment,
    Section,
    map_sensitive,
    person_ids,
    section_status,
)
from entryfiling.domain.filing import STATUS_LABELS, FilingStatus, filing_reference
from entryfiling.domain.validators import mask_id_number
from handlers.persons import remembered_persons
from handlers.services import Services

_NONE_OPENED: Mapping[str, str] = {}

# A chosen person as shown: {"id", "name", "id_number" (masked)}.
PersonShown = dict[str, Any]


# A filing as a view reads it: loaded for a change (ORM), or read as stored (the read endpoints).
ShownFiling = Filing | StoredFiling


def etag_of(filing: ShownFiling | StoredDraft | Row[Any]) -> str:
    return f'"{filing.id}-{filing.version}"'


def reference_of(filing: ShownFiling | Row[Any]) -> str:
    return filing_reference(filing.id, filing.created_at)


@dataclass(frozen=True)
class AttachmentView:
    id: str
    filing_id: int
    enterprise_id: int
    kind: str
    kind_label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    # A PDF assembled from photos: each original page's name, type, size and SHA-256.
    source_pages: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    saved: bool
    complete: bool
    missing_fields: list[Missing]
    missing_attachments: list[MissingAttachment]
    warnings: list[str]
    # The declared fields' values (JSON as declared; ID numbers masked, persons shown).
    values: dict[str, Any]
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class EventView:
    from_status: str | None
    to_status: str
    to_status_label: str
    actor: str
    at: datetime
    note: list[str]


@dataclass(frozen=True)
class FilingSummary:
    id: int
    enterprise_id: int
    reference: str
    business: str
    business_label: str
    enterprise_type: str
    enterprise_type_label: str
    status: str
    status_label: str
    version: int
    etag: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    reasons: list[str]


@dataclass(frozen=True)
class FilingView(FilingSummary):
    sections: list[SectionView]
    complete: bool
    agreed: bool
    signed_letter_id: str | None
    submission_attachments: list[AttachmentView]
    # Rule results and record changes are stored JSON records ({rule, description, passed, …}).
    rule_results: list[dict[str, Any]]
    record_changes: list[dict[str, Any]]
    copied_from_id: int | None
    events: list[EventView]
    # On upload: the attachment just stored.
    attachment: AttachmentView | None = None


def attachment_view(
    attachment: Attachment | StoredAttachment, business: Business, enterprise_id: int
) -> AttachmentView:
    kind = business.attachment_kind(attachment.kind)
    return AttachmentView(
        id=attachment.id,
        filing_id=attachment.filing_id,
        enterprise_id=enterprise_id,
        kind=attachment.kind,
        kind_label=kind.label if kind else attachment.kind,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_at=attachment.created_at,
        uploaded_by=attachment.uploaded_by.get("name", ""),
        source_pages=attachment.source_pages,
    )


def _shown_values(
    services: Services,
    section: Section,
    stored: dict[str, Any],
    persons: dict[int, PersonShown],
    opened: Mapping[str, str],
) -> dict[str, Any]:
    def shown(token: str) -> str:
        return mask_id_number(opened[token] if token in opened else services.cipher.decrypt(token))

    values = map_sensitive(section, stored, shown)
    for fld in section.person_fields:
        if fld.key not in values:
            continue
        if fld.type is FieldType.PERSON:
            values[fld.key] = persons.get(values[fld.key], {"id": values[fld.key]})
        else:
            columns = fld.person_columns
            values[fld.key] = [
                {k: persons.get(v, {"id": v}) if k in columns else v for k, v in row.items()} for row in values[fld.key]
            ]
    return values


def _persons_shown(
    services: Services, executor: Session | Connection, business: Business, sections: dict[str, Any]
) -> dict[int, PersonShown]:
    ids = {pid for s in business.sections for _p, _f, pid in person_ids(s, sections.get(s.key) or {})}
    if not ids:
        return {}
    # Persons this use case's session read already (an approval reads the chosen ones for its rules:
    # ``remembered_persons``) are not asked for again.
    known = remembered_persons(executor) if isinstance(executor, Session) else {}
    found: list[Any] = [known[pid] for pid in ids if pid in known]
    if missing := {pid for pid in ids if pid not in known}:
        found += persons_shown(executor, missing)
    return {
        p.id: {"id": p.id, "name": p.name, "id_number": mask_id_number(services.cipher.decrypt(p.id_number_sealed))}
        for p in found
    }


def filing_summary(filing: ShownFiling | Row[Any]) -> FilingSummary:
    """From a filing, or a row of its summary columns (the records list reads no more).

    Positional, not ``**_summary_fields``: twenty of these per records page, the dict in between
    was a third of their cost. The field order is FilingSummary's (``test_filing_rendering`` compares)."""
    business = BUSINESSES.get(filing.business)
    return FilingSummary(
        filing.id,
        filing.enterprise_id,
        reference_of(filing),
        filing.business,
        business.label if business else filing.business,
        filing.enterprise_type,
        ENTERPRISE_TYPE_LABELS.get(EnterpriseType(filing.enterprise_type), ""),
        filing.status,
        STATUS_LABELS[FilingStatus(filing.status)],
        filing.version,
        etag_of(filing),
        filing.created_at,
        filing.updated_at,
        filing.submitted_at,
        filing.decided_at,
        list(filing.reasons or []),
    )


def _summary_fields(filing: ShownFiling | Row[Any]) -> dict[str, Any]:
    business = BUSINESSES.get(filing.business)
    return {
        "id": filing.id,
        "enterprise_id": filing.enterprise_id,
        "reference": reference_of(filing),
        "business": filing.business,
        "business_label": business.label if business else filing.business,
        "enterprise_type": filing.enterprise_type,
        "enterprise_type_label": ENTERPRISE_TYPE_LABELS.get(EnterpriseType(filing.enterprise_type), ""),
        "status": filing.status,
        "status_label": STATUS_LABELS[FilingStatus(filing.status)],
        "version": filing.version,
        "etag": etag_of(filing),
        "created_at": filing.created_at,
        "updated_at": filing.updated_at,
        "submitted_at": filing.submitted_at,
        "decided_at": filing.decided_at,
        "reasons": list(filing.reasons or []),
    }


def filing_view(
    services: Services,
    session: Session | Connection,
    filing: ShownFiling,
    *,
    flush: bool = False,
    attachment: Attachment | None = None,
    opened: Mapping[str, str] = _NONE_OPENED,
) -> FilingView:
    """The whole filing: per section its values, completeness (the seed's green check) and gaps.

    ``session`` is the loaded filing's Session, or the Connection a stored filing was read on;
    ``opened`` the ID numbers the use case sealed itself, by token (they are shown without
    decrypting them again)."""
    if flush and isinstance(session, Session):
        session.flush()  # the version counter moves on flush; the view must show the new one
    business = BUSINESSES[filing.business].for_enterprise_type(filing.enterprise_type)
    counts = Counter(a.kind for a in filing.attachments)
    today = services.today()
    persons = _persons_shown(services, session, business, filing.sections)
    sections = []
    for section in business.sections:
        stored = filing.sections.get(section.key)
        status = section_status(section, stored, counts, today, services.settings.expiry_warning_days)
        section_kinds = {k.key for k in section.attachments}
        sections.append(
            SectionView(
                key=section.key,
                label=section.label,
                saved=status.saved,
                complete=status.complete,
                missing_fields=list(status.missing_fields),
                missing_attachments=list(status.missing_attachments),
                warnings=list(status.warnings),
                values=_shown_values(services, section, stored or {}, persons, opened),
                attachments=[
                    attachment_view(a, business, filing.enterprise_id)
                    for a in filing.attachments
                    if a.kind in section_kinds
                ],
            )
        )
    submission_kinds = {k.key for k in business.submission_attachments}
    return FilingView(
        **_summary_fields(filing),
        sections=sections,
        complete=all(s.complete for s in sections),
        agreed=filing.agreed,
        signed_letter_id=filing.signed_letter_id,
        submission_attachments=[
            attachment_view(a, business, filing.enterprise_id) for a in filing.attachments if a.kind in submission_kinds
        ],
        rule_results=list(filing.rule_results or []),
        record_changes=list(filing.record_changes or []),
        copied_from_id=filing.copied_from_id,
        events=[
            EventView(
                from_status=e.from_status,
                to_status=e.to_status,
                to_status_label=STATUS_LABELS[FilingStatus(e.to_status)],
                actor=e.actor.get("name", ""),
                at=e.at,
                note=list(e.note or []),
            )
            for e in filing.events
        ],
        attachment=attachment_view(attachment, business, filing.enterprise_id) if attachment else None,
    )
