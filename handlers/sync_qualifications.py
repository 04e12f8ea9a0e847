"""同步资质: the enterprise's qualifications from the national registry, listed as new or changed
and, for a filing, merged into its qualification table."""

from __future__ import annotations

from typing import Any

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise
from entryfiling.domain.catalogues import qualifications as qual_catalogue
from entryfiling.domain.errors import NotFound
from entryfiling.domain.validators import InvalidValue, parse_iso_date
from entryfiling.integrations.registry import RegistryQualification
from handlers import jobs
from handlers.services import Services
from handlers.sync import draft_for_sync, write_table

# ---------------------------------------------------------------------------- qualifications

QUALIFICATION_COLUMNS = (
    "name",
    "category",
    "certificate_number",
    "valid_until",
    "issuing_authority",
    "issued_on",
    "status",
)


def _qual_key(row: dict[str, Any]) -> str:
    return f"{row.get('name', '')}|{row.get('certificate_number', '')}"


def _qualification_row(item: RegistryQualification) -> dict[str, Any]:
    """A registry record as a table row: 类别 from the catalogue, the status as the registry words it."""
    if not item.name or not item.certificate_number or not item.valid_until or not item.issued_on:
        raise InvalidValue(msg.INVALID_VALUE_MISSING)
    # A record without a status is in force (the registry lists withdrawn ones with theirs).
    status = qual_catalogue.status_of_wording(item.status) if item.status else qual_catalogue.VALID_STATUS
    if status is None:
        raise InvalidValue(msg.SYNC_QUALIFICATION_STATUS_UNKNOWN.format(status=item.status))
    row = {
        "name": item.name[:200],
        "category": qual_catalogue.class_of_name(item.name),
        "certificate_number": item.certificate_number[:50],
        "valid_until": parse_iso_date(item.valid_until).isoformat(),
        "issuing_authority": item.issuing_authority[:100],
        "issued_on": parse_iso_date(item.issued_on).isoformat(),
        "status": status,
    }
    return {k: v for k, v in row.items() if v}


def sync_qualifications(services: Services, context: jobs.JobContext, progress: jobs.Progress) -> dict[str, Any]:
    """Fetch the enterprise's qualifications and offer new or changed ones (merged into the draft)."""
    client = services.registry()
    progress(0, 1)
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, context.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        uscc = enterprise.uscc
        found = draft_for_sync(uow.session, context)
        if found is not None:
            filing, section, _sync = found
            current_values = dict(filing.sections.get(section.key) or {})
        else:
            current_values = dict(enterprise.filed_record.get("qualifications") or {})
    rows_now = list(current_values.get("qualifications") or [])
    cancelled = {_qual_key(r) for r in current_values.get("cancelled_qualifications") or []}
    baseline = jobs.keep_baseline(services, context.id, {"rows": rows_now})["rows"]

    fetched = client.qualifications(uscc)
    failed: list[dict[str, str]] = []
    offered: list[dict[str, Any]] = []
    for item in fetched:
        try:
            offered.append(_qualification_row(item))
        except InvalidValue as exc:
            reason = msg.SYNC_QUALIFICATION_INVALID.format(
                name=item.name, number=item.certificate_number, reason=exc.message
            )
            failed.append({"item": item.name or item.certificate_number, "reason": reason})

    def merged_with(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_key = {_qual_key(r): i for i, r in enumerate(rows)}
        merged = [dict(r) for r in rows]
        for row in offered:
            key = _qual_key(row)
            if key in cancelled:
                continue
            if key in by_key:
                merged[by_key[key]] = {**merged[by_key[key]], **row}
            else:
                by_key[key] = len(merged)
                merged.append(row)
        return merged

    before = {_qual_key(r): r for r in baseline}
    added, updated, unchanged = [], [], []
    for row in offered:
        key = _qual_key(row)
        label = f"{row['name']}（{row['certificate_number']}）"
        if key in cancelled:
            reason = msg.SYNC_QUALIFICATION_CANCELLED.format(name=row["name"], number=row["certificate_number"])
            failed.append({"item": label, "reason": reason})
        elif key not in before:
            added.append(label)
        elif {**before[key], **row} != before[key]:
            updated.append(label)
        else:
            unchanged.append(label)
    summary: dict[str, Any] = {
        "counts": {"added": len(added), "updated": len(updated), "unchanged": len(unchanged), "failed": len(failed)},
        "added": added,
        "updated": updated,
        "failed": failed,
        "offered": [row for row in offered if _qual_key(row) not in cancelled],
    }
    if context.filing_id is not None:
        changed = write_table(services, context, merged_with)
        summary["filing"] = {"id": context.filing_id, "rows": len(merged_with(rows_now)), "changed": changed}
    progress(1, 1)
    return summary
