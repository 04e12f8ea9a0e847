"""Row actions on a filing's tables: 取消登记 moves a row into the table declared to hold the
cancelled ones (e.g. qualifications → cancelled_qualifications), stamped with the date."""

from __future__ import annotations

from typing import Any

from entryfiling import messages as msg
from entryfiling.domain.errors import NotFound, ValidationFailed
from entryfiling.domain.fields import FieldType
from entryfiling.domain.filing import require_draft
from handlers.filings import check_if_match, commit_or_stale, get_business, get_section, load_filing
from handlers.services import Actor, Services
from handlers.views import present_filing


def cancel_row(
    services: Services,
    actor: Actor,
    filing_id: int,
    section_key: str,
    field_key: str,
    row_number: int,
    if_match: str | None,
) -> dict[str, Any]:
    """Cancel the registration of one row (1-based, as the seed's 序号 column counts)."""
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        section = get_section(get_business(filing.business), section_key)
        table = section.field(field_key)
        if table is None or table.type is not FieldType.TABLE:
            raise NotFound(msg.SECTION_UNKNOWN.format(section=field_key, options=section.label))
        if not table.cancel_into:
            raise ValidationFailed(msg.ROW_CANCEL_NOT_ALLOWED.format(field=table.label))
        check_if_match(filing, if_match)
        require_draft(filing.status)
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
        commit_or_stale(uow, filing)
        return present_filing(services, uow.session, filing)
