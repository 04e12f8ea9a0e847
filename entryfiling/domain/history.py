"""What a filing changed in the enterprise's filed record: a before/after list, built once at approval.

The diff is computed on clear values (two ID numbers with the same mask are still different) and
stored already displayed: ID numbers masked, persons by name, options by their label. It is a
record of what a person saw change, not data to compute with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from entryfiling.domain.fields import Field, FieldType, RecordMode, Section

Mask = Callable[[str], str]


def display_value(fld: Field, value: Any, persons: Mapping[int, str], mask: Mask) -> Any:
    """One stored value as a reader sees it."""
    if value is None:
        return None
    if fld.sensitive:
        return mask(value)
    if fld.type is FieldType.PERSON:
        return {"id": value, "name": persons.get(int(value), "")}
    if fld.type is FieldType.ENUM:
        return fld.option_label(value) or value
    if fld.type is FieldType.MULTI_ENUM:
        return [fld.option_label(item) or item for item in value]
    if fld.type is FieldType.TABLE:
        return [
            {c.key: display_value(c, row.get(c.key), persons, mask) for c in fld.columns if c.key in row}
            for row in value
        ]
    return value


def display_values(
    section: Section, values: Mapping[str, Any], persons: Mapping[int, str], mask: Mask
) -> dict[str, Any]:
    return {f.key: display_value(f, values[f.key], persons, mask) for f in section.fields if f.key in values}


def diff_record(
    sections: Mapping[str, Section],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    persons: Mapping[int, str],
    mask: Mask,
) -> list[dict[str, Any]]:
    """Every field (or appended entry) that differs between two filed records, in declaration order."""
    changes: list[dict[str, Any]] = []
    for record_key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(record_key), after.get(record_key)
        if old == new:
            continue
        section = sections.get(record_key)
        if section is None:
            changes.append(_entry(record_key, record_key, None, record_key, old, new))
        elif section.record_mode is RecordMode.APPEND:
            previous = list(old or [])
            for item in new or []:
                if item not in previous:
                    shown = display_values(section, item, persons, mask)
                    changes.append(_entry(record_key, section.label, None, section.label, None, shown))
        else:
            old_values, new_values = old or {}, new or {}
            for fld in section.fields:
                if old_values.get(fld.key) != new_values.get(fld.key):
                    changes.append(
                        _entry(
                            record_key,
                            section.label,
                            fld.key,
                            fld.label,
                            display_value(fld, old_values.get(fld.key), persons, mask),
                            display_value(fld, new_values.get(fld.key), persons, mask),
                        )
                    )
    return changes


def _entry(record_key: str, section_label: str, key: str | None, label: str, before: Any, after: Any) -> dict[str, Any]:
    change = "added" if before is None else "removed" if after is None else "modified"
    return {
        "section": record_key,
        "section_label": section_label,
        "field": key,
        "field_label": label,
        "change": change,
        "before": before,
        "after": after,
    }
