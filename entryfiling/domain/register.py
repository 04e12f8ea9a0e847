"""The public register (公示): which parts of a filed record anyone may see, declared as data.

Persons appear by name only; ID numbers are never published even if a field were listed here.
Contract amounts, phone numbers and addresses of persons stay private.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from entryfiling.domain.fields import FieldType, RecordMode, Section

# record key -> the fields of that part of the record shown in the register.
PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "basic_info": ("enterprise_name", "registered_province", "xinjiang_office_address"),
    "qualifications": ("qualifications",),
    "responsible_person": ("person",),
    "technical_person": ("person",),
    "xinjiang_office": ("office_name", "region", "address"),
    "projects": ("project_name", "region", "client_name", "service_start", "service_end", "services", "project_leader"),
}

# Where qualification names live: (record key, table field, column). Searched by the register.
QUALIFICATION_NAMES = ("qualifications", "qualifications", "name")


def _public_value(section: Section, key: str, value: Any, persons: Mapping[int, str]) -> Any:
    fld = section.field(key)
    if fld is None or fld.sensitive:
        return None
    if fld.type is FieldType.PERSON:
        return {"name": persons.get(int(value), "")}
    if fld.type is FieldType.ENUM:
        return fld.option_label(value) or value
    if fld.type is FieldType.MULTI_ENUM:
        return [fld.option_label(item) or item for item in value]
    if fld.type is FieldType.TABLE:
        return [{c.key: row[c.key] for c in fld.columns if c.key in row and not c.sensitive} for row in value]
    return value


def _public_values(section: Section, values: Mapping[str, Any], persons: Mapping[int, str]) -> dict[str, Any]:
    shown = {}
    for key in PUBLIC_FIELDS.get(section.record_key or "", ()):
        if values.get(key) is not None:
            value = _public_value(section, key, values[key], persons)
            if value is not None:
                shown[key] = value
    return shown


def public_record(
    sections: Mapping[str, Section], record: Mapping[str, Any], persons: Mapping[int, str]
) -> dict[str, Any]:
    """The published parts of a filed record: {record key: {label, values}} or {label, items}."""
    published: dict[str, Any] = {}
    for record_key in PUBLIC_FIELDS:
        section, value = sections.get(record_key), record.get(record_key)
        if section is None or value is None:
            continue
        if section.record_mode is RecordMode.APPEND:
            items = [_public_values(section, item, persons) for item in value if isinstance(item, Mapping)]
            published[record_key] = {"label": section.label, "items": items}
        elif isinstance(value, Mapping):
            published[record_key] = {"label": section.label, "values": _public_values(section, value, persons)}
    return published


def qualification_names(record: Mapping[str, Any]) -> list[str]:
    record_key, table, column = QUALIFICATION_NAMES
    rows = (record.get(record_key) or {}).get(table) or []
    return [str(row[column]) for row in rows if isinstance(row, Mapping) and row.get(column)]


def with_validity(sections: Mapping[str, Section], published: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Mark each published expiring date as lapsed or not, as of ``today`` (computed when read)."""
    result: dict[str, Any] = {}
    for record_key, part in published.items():
        section = sections.get(record_key)
        if section is None or "values" not in part:
            result[record_key] = part
            continue
        values = dict(part["values"])
        for fld in section.fields:
            if fld.key not in values:
                continue
            if fld.type is FieldType.TABLE:
                expiring = [c.key for c in fld.columns if c.expires]
                if expiring:
                    values[fld.key] = [
                        {**row, "expired": any(row.get(k) and row[k] < today.isoformat() for k in expiring)}
                        for row in values[fld.key]
                    ]
            elif fld.expires:
                values[f"{fld.key}_expired"] = values[fld.key] < today.isoformat()
        result[record_key] = {**part, "values": values}
    return result
