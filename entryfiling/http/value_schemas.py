"""JSON Schemas of section values, generated from the business declarations.

A section save takes, and a filing view shows, the values of the fields its section declares;
their JSON types follow from each field's type. These schemas are written here once, from the
declarations (``entryfiling.domain.businesses``), so a field or section declared later appears
in both OpenAPI documents without anyone copying it. marshmallow cannot say "one of these
objects", so the schemas are plain JSON Schema registered as components (see
``entryfiling.http.openapi.ContractPlugin``).

What a save accepts follows ``entryfiling.domain.fields.clean_field`` (no stricter, or a client
would be refused what the server takes): the JSON types each field type takes, ``null`` to clear a
field, unknown and system-kept fields refused. What JSON Schema cannot say — check digits, dates,
options matched by label, lengths after trimming — the domain checks and answers 422 by field.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import fields

from entryfiling.domain.businesses import BUSINESSES
from entryfiling.domain.fields import Field, FieldType, RecordMode, Section

JsonSchema = dict[str, Any]

# Field types whose value is a JSON string (checked and normalised by the server).
STRING_TYPES = frozenset(
    {
        FieldType.TEXTAREA,
        FieldType.DATE,
        FieldType.ENUM,
        FieldType.PHONE,
        FieldType.MOBILE,
        FieldType.EMAIL,
        FieldType.USCC,
        FieldType.ID_NUMBER,
        FieldType.ATTACHMENT,
    }
)
FORMATS = {FieldType.DATE: "date", FieldType.EMAIL: "email"}

# Shared value shapes, by component name.
PERSON_SHOWN = "PersonShown"
SCALAR_VALUE = "ScalarValue"
ROW_VALUE = "RowValue"
FIELD_VALUE = "FieldValue"
SECTION_VALUE_MAP = "SectionValueMap"
RECORD_CHANGE_VALUE = "RecordChangeValue"
JSON_VALUE = "JsonValue"
SECTION_VALUES_INPUT = "SectionValuesInput"
SECTION_VALUES_SHOWN = "SectionValuesShown"
FILED_RECORD = "FiledRecord"


def ref(name: str) -> JsonSchema:
    return {"$ref": f"#/components/schemas/{name}"}


def _camel(*parts: str) -> str:
    return "".join(word.capitalize() for part in parts for word in re.split(r"[_\W]+", part) if word)


def _described(schema: JsonSchema, fld: Field) -> JsonSchema:
    text = fld.label + (f"（{fld.unit}）" if fld.unit else "")
    if fld.options:
        choices = (o.value if o.value == o.label else f"{o.value}（{o.label}）" for o in fld.options)
        text += "；可选：" + "、".join(choices)
    if fld.read_only:
        text += "；由系统维护，保存时不能提交"
    return {**schema, "description": text}


def field_input(fld: Field) -> JsonSchema:
    """What a save accepts for one field (``clean_field``), null included."""
    t = fld.type
    if t is FieldType.TABLE:
        row = {
            "type": "object",
            "properties": {c.key: field_input(c) for c in fld.columns},
            "additionalProperties": False,
        }
        schema: JsonSchema = {"type": "array", "items": row, "maxItems": fld.max_rows, "nullable": True}
    elif t is FieldType.MULTI_ENUM:
        schema = {"type": "array", "items": {"type": "string"}, "nullable": True}
    elif t in (FieldType.TEXT, FieldType.AMOUNT):
        # Text and amounts also take a JSON number ("5000" and 5000 are the same answer).
        schema = {"anyOf": [{"type": "string", "nullable": True}, {"type": "number"}]}
    elif t is FieldType.INTEGER:
        schema = {"anyOf": [{"type": "integer", "nullable": True}, {"type": "string"}]}
    elif t is FieldType.PERSON:
        # A person's id, as a number, a string, or the {id, name} object a view showed.
        schema = {
            "anyOf": [
                {"type": "integer", "nullable": True},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"id": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
                    "required": ["id"],
                },
            ]
        }
    else:
        schema = {"type": "string", "nullable": True}
        if t in FORMATS:
            schema["format"] = FORMATS[t]
    return _described(schema, fld)


def field_shown(fld: Field, *, recorded: bool = False) -> JsonSchema:
    """What a view shows for one field: stored JSON, ID numbers masked, persons as {id, name, id_number}
    (in the filed record, ``recorded``, persons stay their ids)."""
    t = fld.type
    if t is FieldType.TABLE:
        row = {"type": "object", "properties": {c.key: field_shown(c, recorded=recorded) for c in fld.columns}}
        schema: JsonSchema = {"type": "array", "items": row}
    elif t is FieldType.MULTI_ENUM:
        schema = {"type": "array", "items": {"type": "string"}}
    elif t is FieldType.INTEGER:
        schema = {"type": "integer"}
    elif t is FieldType.PERSON:
        schema = {"type": "integer"} if recorded else {"allOf": [ref(PERSON_SHOWN)]}
    else:
        schema = {"type": "string"}
        if t in FORMATS:
            schema["format"] = FORMATS[t]
    return _described(schema, fld)


def _section_input(section: Section) -> JsonSchema:
    return {
        "type": "object",
        "description": f"{section.label}：保存时可只给部分字段，null 清空该字段",
        "properties": {f.key: field_input(f) for f in section.fields if not f.read_only},
        "additionalProperties": False,
    }


def _section_shown(section: Section, *, recorded: bool = False) -> JsonSchema:
    persons = "人员为其编号" if recorded else "人员为 {id, name, id_number}"
    return {
        "type": "object",
        "description": f"{section.label}：已填的字段（身份证号脱敏，{persons}）",
        "properties": {f.key: field_shown(f, recorded=recorded) for f in section.fields},
        "additionalProperties": False,
    }


def _section_names() -> dict[str, list[tuple[str, Section]]]:
    """Each distinct section declaration under one name: its key, or business + key where one key
    is declared with different fields in different businesses."""
    by_key: dict[str, list[tuple[str, Section]]] = {}
    for business in BUSINESSES.values():
        for section in business.sections:
            by_key.setdefault(section.key, []).append((business.key, section))
    named: dict[str, list[tuple[str, Section]]] = {}
    for key, declared in by_key.items():
        distinct = {s.fields for _b, s in declared}
        for business_key, section in declared:
            name = _camel(key) if len(distinct) == 1 else _camel(business_key, key)
            named.setdefault(name, []).append((business_key, section))
    return named


def value_components() -> dict[str, JsonSchema]:
    """Every component the value schemas need, by name."""
    components: dict[str, JsonSchema] = {
        PERSON_SHOWN: {
            "type": "object",
            "description": "选定的人员（身份证号脱敏；公示中只有姓名）",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "id_number": {"type": "string", "description": "身份证号（脱敏）"},
            },
            "additionalProperties": False,
        },
        SCALAR_VALUE: {
            "description": "一个字段或表格一列的值（公示中另有 expired 等标记）",
            "anyOf": [
                {"type": "string"},
                {"type": "integer"},
                {"type": "number"},
                {"type": "boolean"},
                ref(PERSON_SHOWN),
            ],
        },
        ROW_VALUE: {"type": "object", "description": "表格的一行：列 → 值", "additionalProperties": ref(SCALAR_VALUE)},
        FIELD_VALUE: {
            "description": "一个字段的值：文字、数字、人员，或多选 / 表格的各项",
            "anyOf": [
                ref(SCALAR_VALUE),
                {"type": "array", "items": {"anyOf": [{"type": "string"}, ref(ROW_VALUE)]}},
            ],
        },
        SECTION_VALUE_MAP: {
            "type": "object",
            "description": "一个栏目的值：字段 → 值",
            "additionalProperties": ref(FIELD_VALUE),
        },
        RECORD_CHANGE_VALUE: {
            "description": "变更前后的值：一个字段的值，或（整个部分新增 / 删除时）该部分的各字段",
            "anyOf": [ref(FIELD_VALUE), ref(SECTION_VALUE_MAP), {"type": "array", "items": ref(SECTION_VALUE_MAP)}],
        },
        JSON_VALUE: {
            "description": "任意 JSON 值（随事件不同）",
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": ref(JSON_VALUE)},
                {"type": "object", "additionalProperties": ref(JSON_VALUE)},
            ],
        },
    }
    inputs, shown = [], []
    for name, declared in sorted(_section_names().items()):
        section = declared[0][1]
        components[f"{name}Input"] = _section_input(section)
        components[f"{name}Values"] = _section_shown(section)
        if any(s.record_key for _b, s in declared):
            components[f"{name}Record"] = _section_shown(section, recorded=True)
        inputs.append(ref(f"{name}Input"))
        shown.append(ref(f"{name}Values"))
    components[SECTION_VALUES_INPUT] = {
        "description": "栏目的字段值（按 GET /api/v1/businesses 中该栏目的声明；路径中的 section_key 决定适用哪一个）",
        "anyOf": inputs,
    }
    components[SECTION_VALUES_SHOWN] = {"description": "栏目已填的字段值（按该栏目的声明）", "anyOf": shown}
    components[FILED_RECORD] = _filed_record()
    return components


def _filed_record() -> JsonSchema:
    """The enterprise's filed record: each record part as its section declares it (a list where
    each approval appends one entry)."""
    parts: dict[str, list[JsonSchema]] = {}
    for name, declared in _section_names().items():
        for _business, section in declared:
            if not section.record_key:
                continue
            shown = ref(f"{name}Record")
            entry = shown if section.record_mode is RecordMode.REPLACE else {"type": "array", "items": shown}
            if entry not in parts.setdefault(section.record_key, []):
                parts[section.record_key].append(entry)
    properties = {
        key: entries[0] if len(entries) == 1 else {"anyOf": entries} for key, entries in sorted(parts.items())
    }
    return {
        "type": "object",
        "description": "备案信息：各部分按栏目声明（身份证号脱敏）",
        "properties": properties,
        "additionalProperties": ref(SECTION_VALUE_MAP),
    }


def value_field(component: str, description: str, **kwargs: Any) -> fields.Raw:
    """A marshmallow field whose OpenAPI schema is one of these components (marshmallow passes the
    value through; the component says what it is)."""
    return fields.Raw(metadata={"allOf": [ref(component)], "description": description}, **kwargs)
