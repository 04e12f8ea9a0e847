"""How a filing is shown to users: JSON-ready dicts shared by the web and mini-program APIs.

ID numbers are masked here, the one place responses are built; chosen persons are shown with
their name so the user sees whom they picked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from entryfiling.db.models import Attachment, Filing, Person
from entryfiling.domain.businesses import BUSINESSES, ENTERPRISE_TYPE_LABELS, Business, EnterpriseType
from entryfiling.domain.fields import FieldType, Section, map_sensitive, person_ids, section_status
from entryfiling.domain.filing import CHINA_TIME, STATUS_LABELS, FilingStatus
from entryfiling.domain.validators import mask_id_number
from handlers.services import Services


def etag_of(filing: Filing) -> str:
    return f'"{filing.id}-{filing.version}"'


def reference_of(filing: Filing) -> str:
    return f"JJ{filing.created_at.astimezone(CHINA_TIME):%Y%m%d}{filing.id:06d}"


def present_attachment(attachment: Attachment, business: Business) -> dict[str, Any]:
    kind = business.attachment_kind(attachment.kind)
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "kind_label": kind.label if kind else attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.created_at.isoformat(),
        "uploaded_by": attachment.uploaded_by.get("name", ""),
        "download_url": f"/api/v1/filings/{attachment.filing_id}/attachments/{attachment.id}",
    }


def _present_values(
    services: Services, section: Section, stored: dict[str, Any], persons: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    values = map_sensitive(section, stored, lambda token: mask_id_number(services.cipher.decrypt(token)))
    for fld in section.fields:
        if fld.type is FieldType.PERSON and fld.key in values:
            values[fld.key] = persons.get(values[fld.key], {"id": values[fld.key]})
        elif fld.type is FieldType.TABLE and fld.key in values:
            person_columns = [c.key for c in fld.columns if c.type is FieldType.PERSON]
            if person_columns:
                values[fld.key] = [
                    {k: persons.get(v, {"id": v}) if k in person_columns else v for k, v in row.items()}
                    for row in values[fld.key]
                ]
    return values


def _persons_shown(
    services: Services, session: Session, business: Business, sections: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    ids = {pid for s in business.sections for _p, _f, pid in person_ids(s, sections.get(s.key) or {})}
    if not ids:
        return {}
    return {
        p.id: {"id": p.id, "name": p.name, "id_number": mask_id_number(services.cipher.decrypt(p.id_number_sealed))}
        for p in session.query(Person).filter(Person.id.in_(ids))
    }


def present_filing_summary(filing: Filing) -> dict[str, Any]:
    business = BUSINESSES.get(filing.business)
    return {
        "id": filing.id,
        "reference": reference_of(filing),
        "business": filing.business,
        "business_label": business.label if business else filing.business,
        "enterprise_type": filing.enterprise_type,
        "enterprise_type_label": ENTERPRISE_TYPE_LABELS.get(EnterpriseType(filing.enterprise_type), ""),
        "status": filing.status,
        "status_label": STATUS_LABELS[FilingStatus(filing.status)],
        "version": filing.version,
        "etag": etag_of(filing),
        "created_at": filing.created_at.isoformat(),
        "updated_at": filing.updated_at.isoformat(),
        "submitted_at": filing.submitted_at.isoformat() if filing.submitted_at else None,
        "decided_at": filing.decided_at.isoformat() if filing.decided_at else None,
        "reasons": list(filing.reasons or []),
    }


def present_filing(services: Services, session: Session, filing: Filing, *, flush: bool = False) -> dict[str, Any]:
    """The whole filing: per section its values, completeness (the seed's green check) and gaps."""
    if flush:
        session.flush()  # the version counter moves on flush; the view must show the new one
    business = BUSINESSES[filing.business]
    counts = Counter(a.kind for a in filing.attachments)
    today = services.today()
    persons = _persons_shown(services, session, business, filing.sections)
    sections = []
    for section in business.sections:
        stored = filing.sections.get(section.key)
        status = section_status(section, stored, counts, today, services.settings.expiry_warning_days)
        sections.append(
            {
                "key": section.key,
                "label": section.label,
                "saved": status.saved,
                "complete": status.complete,
                "missing_fields": [{"path": m.path, "label": m.label} for m in status.missing_fields],
                "missing_attachments": [
                    {"kind": m.kind, "label": m.label, "required": m.required_count, "uploaded": m.uploaded_count}
                    for m in status.missing_attachments
                ],
                "warnings": list(status.warnings),
                "values": _present_values(services, section, stored or {}, persons),
                "attachments": [
                    present_attachment(a, business)
                    for a in filing.attachments
                    if any(k.key == a.kind for k in section.attachments)
                ],
            }
        )
    submission_kinds = {k.key for k in business.submission_attachments}
    return present_filing_summary(filing) | {
        "sections": sections,
        "complete": all(s["complete"] for s in sections),
        "agreed": filing.agreed,
        "signed_letter_id": filing.signed_letter_id,
        "submission_attachments": [
            present_attachment(a, business) for a in filing.attachments if a.kind in submission_kinds
        ],
        "commitment_letter_url": f"/api/v1/filings/{filing.id}/commitment-letter",
        "rule_results": list(filing.rule_results or []),
        "record_changes": list(filing.record_changes or []),
        "copied_from_id": filing.copied_from_id,
        "events": [
            {
                "from_status": e.from_status,
                "to_status": e.to_status,
                "to_status_label": STATUS_LABELS[FilingStatus(e.to_status)],
                "actor": e.actor.get("name", ""),
                "at": e.at.isoformat(),
                "note": list(e.note or []),
            }
            for e in filing.events
        ],
    }
