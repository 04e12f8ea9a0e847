"""The declared businesses, described for clients that build their forms from them."""

from __future__ import annotations

from typing import Any

from entryfiling import messages as msg
from entryfiling.domain.businesses import BUSINESSES, ENTERPRISE_TYPE_LABELS, Business
from entryfiling.domain.content_types import LABELS as CONTENT_TYPE_LABELS
from entryfiling.domain.errors import NotFound
from entryfiling.domain.fields import AttachmentKind, Field, FieldType
from entryfiling.domain.rules import RULES


def describe_field(fld: Field) -> dict[str, Any]:
    described: dict[str, Any] = {
        "key": fld.key,
        "label": fld.label,
        "type": fld.type.value,
        "required": fld.required,
    }
    if fld.options:
        described["options"] = [{"value": o.value, "label": o.label} for o in fld.options]
    if fld.type in (FieldType.TEXT, FieldType.TEXTAREA):
        described["max_length"] = fld.max_length if fld.type is FieldType.TEXT else max(fld.max_length, 2000)
    if fld.unit:
        described["unit"] = fld.unit
    if fld.prompt:
        described["prompt"] = fld.prompt
    if fld.expires:
        described["expires"] = True
    if fld.read_only:
        described["read_only"] = True
    if fld.cancel_into:
        described["cancel_into"] = fld.cancel_into
    if fld.unique_by:
        described["unique_by"] = list(fld.unique_by)
    if fld.attachment_kind:
        described["attachment_kind"] = fld.attachment_kind
    if fld.required_for:
        described["required_for"] = sorted(fld.required_for)
    if fld.derived_from:
        described["derived_from"] = fld.derived_from
    if fld.type is FieldType.TABLE:
        described["columns"] = [describe_field(c) for c in fld.columns]
        described["min_rows"] = fld.min_rows
        described["max_rows"] = fld.max_rows
    return described


def describe_attachment_kind(kind: AttachmentKind) -> dict[str, Any]:
    return {
        "key": kind.key,
        "label": kind.label,
        "content_types": list(kind.content_types),
        "formats": "、".join(CONTENT_TYPE_LABELS[t] for t in kind.content_types),
        "max_bytes": kind.max_bytes,
        "min_count": kind.min_count,
        "max_count": kind.max_count,
        "required": kind.required,
        "description": kind.description,
        **({"required_for": sorted(kind.required_for)} if kind.required_for else {}),
    }


def describe_business(business: Business) -> dict[str, Any]:
    return {
        "key": business.key,
        "number": business.number,
        "label": business.label,
        "description": business.description,
        "applies_to": [{"value": t.value, "label": ENTERPRISE_TYPE_LABELS[t]} for t in sorted(business.applies_to)],
        "requires_filed_enterprise": business.requires_filed_enterprise,
        "sections": [
            {
                "key": s.key,
                "label": s.label,
                "description": s.description,
                "fields": [describe_field(f) for f in s.fields],
                "attachments": [describe_attachment_kind(k) for k in s.attachments],
                "save_requires": list(s.save_requires),
                "sync": {"kind": s.sync.kind, "table": s.sync.table, "replace": s.sync.replace} if s.sync else None,
            }
            for s in business.sections
        ],
        "submission_attachments": [describe_attachment_kind(k) for k in business.submission_attachments],
        "rules": [
            {
                "key": k,
                "description": RULES[k].description,
                "stage": RULES[k].stage.value,
                "on_failure": RULES[k].on_failure.value,
            }
            for k in business.rules
        ],
    }


def list_businesses() -> list[dict[str, Any]]:
    return [describe_business(b) for b in sorted(BUSINESSES.values(), key=lambda b: (b.number, b.key))]


def get_business_description(key: str) -> dict[str, Any]:
    business = BUSINESSES.get(key)
    if business is None:
        raise NotFound(msg.BUSINESS_UNKNOWN.format(business=key, options="、".join(BUSINESSES)))
    return describe_business(business)
