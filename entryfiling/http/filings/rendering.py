"""The filing response, rendered by hand: the one way every filing route answers with a filing.

Hand-written rather than ``FilingSchema().dump`` because the filing is the answer of the hottest
routes (detail, records list, save, submit, upload): marshmallow walks every nested field of every
section and attachment through its generic machinery, which cost more than reading the filing from
the database. The schemas in ``schemas.py`` stay what the OpenAPI document is generated from; the
routes keep ``@blp.response(…Schema)`` (flask-smorest sends a ready ``Response`` untouched) and
``tests/api/test_filing_rendering.py`` compares these functions with the schemas' dump over every
business, state, section and attachment kind the flows produce, and checks that they know every
field the schemas declare, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from flask import Response, current_app

from entryfiling.http.links import url_of
from handlers.filings import FilingSummary, FilingView
from handlers.filings.views import AttachmentView, EventView, SectionView
from handlers.pages import Page

# The keys of stored JSON records each nested schema declares (a dump shows those present, no others).
SOURCE_PAGE_KEYS = ("page", "filename", "content_type", "size", "sha256")
EVIDENCE_KEYS = ("item", "filed", "registry")
RULE_RESULT_KEYS = ("rule", "description", "passed", "reasons", "on_failure", "outcome", "evidence", "reviewer")
RECORD_CHANGE_KEYS = ("section", "section_label", "field", "field_label", "change", "before", "after")


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _picked(record: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: record[key] for key in keys if key in record}


def _rule_result(record: Mapping[str, Any]) -> dict[str, Any]:
    shown = _picked(record, RULE_RESULT_KEYS)
    if shown.get("evidence") is not None:
        shown["evidence"] = [_picked(item, EVIDENCE_KEYS) for item in shown["evidence"]]
    return shown


def summary_body(summary: FilingSummary) -> dict[str, Any]:
    """As ``FilingSummarySchema().dump(summary)``."""
    return {
        "id": summary.id,
        "reference": summary.reference,
        "business": summary.business,
        "business_label": summary.business_label,
        "enterprise_type": summary.enterprise_type,
        "enterprise_type_label": summary.enterprise_type_label,
        "status": summary.status,
        "status_label": summary.status_label,
        "version": summary.version,
        "etag": summary.etag,
        "created_at": summary.created_at.isoformat(),
        "updated_at": summary.updated_at.isoformat(),
        "submitted_at": _when(summary.submitted_at),
        "decided_at": _when(summary.decided_at),
        "reasons": list(summary.reasons),
    }


def attachment_body(attachment: AttachmentView) -> dict[str, Any]:
    """As ``AttachmentSchema().dump(attachment)``, its link made by the serving blueprint."""
    pages = attachment.source_pages
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "kind_label": attachment.kind_label,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_at": attachment.uploaded_at.isoformat(),
        "uploaded_by": attachment.uploaded_by,
        "source_pages": None if pages is None else [_picked(page, SOURCE_PAGE_KEYS) for page in pages],
        "download_url": url_of("attachment", attachment),
    }


def _section_body(section: SectionView) -> dict[str, Any]:
    return {
        "key": section.key,
        "label": section.label,
        "saved": section.saved,
        "complete": section.complete,
        "missing_fields": [{"path": m.path, "label": m.label} for m in section.missing_fields],
        "missing_attachments": [
            {"kind": m.kind, "label": m.label, "required": m.required_count, "uploaded": m.uploaded_count}
            for m in section.missing_attachments
        ],
        "warnings": list(section.warnings),
        "values": section.values,
        "attachments": [attachment_body(a) for a in section.attachments],
    }


def _event_body(event: EventView) -> dict[str, Any]:
    return {
        "from_status": event.from_status,
        "to_status": event.to_status,
        "to_status_label": event.to_status_label,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "note": list(event.note),
    }


def filing_body(view: FilingView) -> dict[str, Any]:
    """As ``FilingSchema().dump(view)``."""
    body = summary_body(view)
    body.update(
        sections=[_section_body(s) for s in view.sections],
        complete=view.complete,
        agreed=view.agreed,
        signed_letter_id=view.signed_letter_id,
        submission_attachments=[attachment_body(a) for a in view.submission_attachments],
        commitment_letter_url=url_of("commitment_letter", view),
        rule_results=[_rule_result(r) for r in view.rule_results],
        record_changes=[_picked(c, RECORD_CHANGE_KEYS) for c in view.record_changes],
        copied_from_id=view.copied_from_id,
        events=[_event_body(e) for e in view.events],
    )
    if view.attachment is not None:
        body["attachment"] = attachment_body(view.attachment)
    return body


def page_body(page: Page[FilingSummary]) -> dict[str, Any]:
    """As ``FilingPageSchema().dump(page)``."""
    return {
        "items": [summary_body(s) for s in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def json_response(body: Any) -> Response:
    """``body`` encoded by the app's JSON provider, as flask-smorest would send a dumped answer."""
    return cast(Response, current_app.json.response(body))


def encoded(body: Any) -> bytes:
    """``body`` as ``json_response`` sends it: the bytes an answer cache keeps."""
    return json_response(body).get_data()
