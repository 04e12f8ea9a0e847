"""Row actions on a filing's tables: 取消登记 moves a row into the table declared to hold the
cancelled ones (e.g. qualifications → cancelled_qualifications), stamped with the date."""

from __future__ import annotations

from entryfiling import messages as msg
from entryfiling.domain.errors import NotFound, ValidationFailed
from entryfiling.domain.fields import FieldType
from handlers.filings.common import commit_or_stale, get_section, load_draft
from handlers.filings.views import FilingView, filing_view
from handlers.services import Actor, Services


def cancel_row(
    services: Services,
    actor: Actor,
    filing_id: int,
    section_key: str,
    field_key: str,
    row_number: int,
    if_match: str | None,
) -> FilingView:
    """Cancel the registration of one row (1-based, as the seed's 序号 column counts)."""
    now = services.now()
    with services.uow() as uow:
        draft = load_draft(uow, actor, filing_id, if_match=if_match, etag_required=True)
        filing = draft.filing
        section = get_section(draft.business, section_key)
        table = section.field(field_key)
        if table is None or table.type is not FieldType.TABLE:
            raise NotFound(msg.SECTION_UNKNOWN.format(section=field_key, options=section.label))
        if not table.cancel_into:
            raise ValidationFailed(msg.ROW_CANCEL_NOT_ALLOWED.format(field=table.label))
        values = dict(filing.sections.get(section.key) or {})
        rows = list(values.get(table.key) or [])
        if not 1 <= row_number <= len(rows):
            raise NotFound(msg.ROW_NOT_FOUND.format(field=table.label, row=row_number, count=len(rows)))
        row = rows.pop(row_number - 1)
        values[table.key] = rows
        cancelled = {**row, "cancelled_on": services.today().isoformat()}
        values[table.cancel_into] = [*values.get(table.cancel_into, []), cancelled]
        filing.sections = {**filing.sections, section.key: values}
        filing.updated_at = now
        uow.audit(
            actor, "row_cancelled", f"filing:{filing.id}", now, {"section": section.key, "field": table.key, "row": row}
        )
        commit_or_stale(uow)
        return filing_view(services, uow.session, filing)
