"""Field and section declarations, and the one place a submitted value is checked.

Every business is a tuple of sections; every section a tuple of fields and attachment kinds.
The web forms, the phone's step-by-step flow and the approval rules all read these declarations,
so a field's label, type and requiredness are written once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from entryfiling import messages as msg
from entryfiling.domain import validators as v
from entryfiling.domain import values
from entryfiling.domain.catalogues import DERIVATIONS, check_catalogue_name
from entryfiling.domain.validators import InvalidValue

MB = 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
IMAGE_OR_PDF = (PDF, JPEG, PNG)
# Ids and counts are stored as 32-bit integers: anything larger cannot name a row.
MAX_ID = 2**31 - 1


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"
    PHONE = "phone"
    MOBILE = "mobile"
    EMAIL = "email"
    USCC = "uscc"
    ID_NUMBER = "id_number"
    AMOUNT = "amount"
    # A floor area in square metres (驻疆机构办公面积): "120", "120平方米", "120㎡", "一百二十平米".
    AREA = "area"
    INTEGER = "integer"
    PERSON = "person"
    TABLE = "table"
    # The id of an attachment uploaded to the same filing (e.g. one scan per table row).
    ATTACHMENT = "attachment"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One input. ``columns`` makes it a table whose rows are dicts of those columns."""

    key: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    options: tuple[Option, ...] = ()
    max_length: int = 200
    columns: tuple[Field, ...] = ()
    min_rows: int = 0
    max_rows: int = 100
    unit: str = ""
    prompt: str = ""
    # A date after which the thing it describes lapses: drives expiry warnings and approval.
    expires: bool = False
    # Person pickers: persons must be real-name verified and employed by the enterprise.
    person_must_be_employed: bool = True
    # Kept by the system (registry sync, row cancellation); a save naming it is refused.
    read_only: bool = False
    # Tables: rows can be cancelled (取消登记) into this other table field of the same section.
    cancel_into: str = ""
    # Tables: no two rows may share these columns' values.
    unique_by: tuple[str, ...] = ()
    # ATTACHMENT fields: the attachment kind the referenced upload must have.
    attachment_kind: str = ""
    # TEXT fields: a catalogue (catalogues.CATALOGUES) the value must name; unknown names get suggestions.
    catalogue: str = ""
    # Other words clerks use for this field in a sentence ("法人" for 法定代表人姓名); the label always counts.
    synonyms: tuple[str, ...] = ()
    # Examples per enterprise type ((type, example), …) where one example does not fit every type.
    examples: tuple[tuple[str, str], ...] = ()
    # Filled when the filing opens from what the login already knows ("certificate_name", "certificate_uscc").
    prefill: str = ""
    # Required for these enterprise types and asked only of them (a 监理 firm holds no 安全生产许可证):
    # ``for_enterprise_type`` resolves a section for one type; empty: the field is for every type.
    required_for: frozenset[str] = frozenset()
    # Table columns: derived on save from this sibling column through ``catalogues.DERIVATIONS[derivation]``
    # (资质类别 from the qualification's name), so a clerk does not type it twice; a typed value must agree.
    derived_from: str = ""
    derivation: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)

    @property
    def sensitive(self) -> bool:
        return self.type is FieldType.ID_NUMBER

    @cached_property
    def sensitive_columns(self) -> frozenset[str]:
        """A table's columns that hold ID numbers (a field is frozen: worked out once)."""
        return frozenset(c.key for c in self.columns if c.sensitive)

    @cached_property
    def person_columns(self) -> tuple[str, ...]:
        """A table's columns that choose a person."""
        return tuple(c.key for c in self.columns if c.type is FieldType.PERSON)

    def option_label(self, value: str) -> str | None:
        return next((o.label for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class AttachmentKind:
    key: str
    label: str
    content_types: tuple[str, ...] = IMAGE_OR_PDF
    max_bytes: int = 5 * MB
    min_count: int = 1
    max_count: int = 1
    description: str = ""
    # Required (one at least) for these enterprise types and offered only to them; see Field.required_for.
    required_for: frozenset[str] = frozenset()

    @property
    def required(self) -> bool:
        return self.min_count > 0


class RecordMode(StrEnum):
    """How an approved section lands in the enterprise's filed record."""

    REPLACE = "replace"  # the section is the enterprise's current state (basic info, persons…)
    APPEND = "append"  # each approval adds one entry to a list (one project per filing)


@dataclass(frozen=True)
class RegistrySync:
    """A section table filled from the national registry by a background job.

    ``replace``: the registry is the truth and the job rewrites the table; otherwise the job
    merges new and changed rows into it, leaving the user's other rows alone.
    """

    kind: str  # "certificates" or "qualifications" (see handlers.sync)
    table: str
    replace: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    fields: tuple[Field, ...]
    attachments: tuple[AttachmentKind, ...] = ()
    # Where this section lives in the enterprise's filed record; None: it is not part of it.
    record_key: str | None = None
    # Attachment kinds that must be uploaded before the section can be saved at all.
    save_requires: tuple[str, ...] = ()
    description: str = ""
    record_mode: RecordMode = RecordMode.REPLACE
    # (start, end) date field pairs: the end may not come before the start.
    date_ranges: tuple[tuple[str, str], ...] = ()
    sync: RegistrySync | None = None

    def field(self, key: str) -> Field | None:
        return self._fields_by_key.get(key)

    # What the walks over a section's values look at, worked out once (a section is frozen): each
    # save and each view of a filing walks every section, and most fields are none of these.
    @cached_property
    def _fields_by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def sensitive_fields(self) -> tuple[Field, ...]:
        """The fields that hold ID numbers, themselves or in a table's columns."""
        return _fields_where(self.fields, lambda f: f.sensitive)

    @cached_property
    def person_fields(self) -> tuple[Field, ...]:
        """The fields that choose persons, themselves or in a table's columns."""
        return _fields_where(self.fields, lambda f: f.type is FieldType.PERSON)

    @cached_property
    def expiring_fields(self) -> tuple[Field, ...]:
        """The dates that expire, themselves or in a table's columns."""
        return _fields_where(self.fields, lambda f: f.expires)

    @cached_property
    def attachment_fields(self) -> tuple[Field, ...]:
        """The fields that point at attachments, themselves or in a table's columns."""
        return _fields_where(self.fields, lambda f: f.type is FieldType.ATTACHMENT)

    @cached_property
    def missing_when_empty(self) -> tuple[Missing, ...]:
        """What the section lacks while nothing is filled in: worked out once, since a section is
        frozen and every view of a filing shows the status of each section not yet saved."""
        return tuple(missing_fields(self, {}))


def _fields_where(fields: tuple[Field, ...], holds: Callable[[Field], bool]) -> tuple[Field, ...]:
    return tuple(f for f in fields if holds(f) or any(holds(c) for c in f.columns))


def _field_for_type(fld: Field, enterprise_type: str) -> Field | None:
    if fld.required_for and enterprise_type not in fld.required_for:
        return None
    columns = tuple(c for c in (_field_for_type(col, enterprise_type) for col in fld.columns) if c is not None)
    if fld.required_for or columns != fld.columns:
        return replace(fld, required=fld.required or bool(fld.required_for), columns=columns)
    return fld


def for_enterprise_type(section: Section, enterprise_type: str) -> Section:
    """The section as an enterprise of this type fills it: fields and attachment kinds declared
    ``required_for`` other types are left out, those declared for this type are required.

    The one place per-type requiredness is decided: completeness, the guided flow, the conversation,
    section saves and approval all read the resolved section.
    """
    fields = tuple(f for f in (_field_for_type(fld, enterprise_type) for fld in section.fields) if f is not None)
    attachments = tuple(
        replace(kind, min_count=max(kind.min_count, 1)) if kind.required_for else kind
        for kind in section.attachments
        if not kind.required_for or enterprise_type in kind.required_for
    )
    if fields == section.fields and attachments == section.attachments:
        return section
    return replace(section, fields=fields, attachments=attachments)


def option_tuple(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in pairs)


# ---------------------------------------------------------------------------- value checking


@dataclass
class CleanResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "") or raw == []


# Below U+0020 only line feeds and tabs belong in text a clerk types.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f]")


def clean_scalar(fld: Field, raw: Any) -> Any:
    """Turn one raw value into its stored JSON form, or raise InvalidValue with the reason."""
    t = fld.type
    if t is FieldType.ATTACHMENT:
        if not isinstance(raw, str) or not 0 < len(raw.strip()) <= 64:
            raise InvalidValue(msg.FIELD_ATTACHMENT_ID)
        return raw.strip()
    if t is FieldType.PERSON:
        if isinstance(raw, Mapping):
            raw = raw.get("id")
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise InvalidValue(msg.FIELD_PERSON_ID)
        try:
            person_id = int(raw)
        except (TypeError, ValueError):
            raise InvalidValue(msg.FIELD_PERSON_ID) from None
        if not 0 < person_id <= MAX_ID:
            raise InvalidValue(msg.FIELD_PERSON_ID)
        return person_id
    if t is FieldType.INTEGER:
        if isinstance(raw, bool):
            raise InvalidValue(msg.FIELD_INTEGER)
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise InvalidValue(msg.FIELD_INTEGER) from None
        if not 0 <= number <= MAX_ID:
            raise InvalidValue(msg.FIELD_INTEGER)
        return number
    if t is FieldType.AMOUNT:
        return str(values.parse_amount(raw, fld.unit))
    if t is FieldType.AREA:
        return str(values.parse_area(raw))
    if t is FieldType.MULTI_ENUM:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise InvalidValue(msg.FIELD_MULTI_ENUM)
        picked = [values.match_option(fld.options, item) for item in raw]
        known = [item for item in picked if item is not None]
        if len(known) != len(picked):
            raise InvalidValue(msg.FIELD_ENUM.format(options=_options_text(fld)))
        return sorted(set(known), key=[o.value for o in fld.options].index)
    if not isinstance(raw, str):
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool) and t is FieldType.TEXT:
            raw = str(raw)
        else:
            raise InvalidValue(msg.FIELD_TEXT)
    text = raw.strip()
    if t is FieldType.DATE:
        return values.parse_date(text).isoformat()
    if t is FieldType.ENUM:
        chosen = values.match_option(fld.options, text)
        if chosen is None:
            raise InvalidValue(msg.FIELD_ENUM.format(options=_options_text(fld)))
        return chosen
    if t is FieldType.USCC:
        return v.normalize_uscc(text)
    if t is FieldType.ID_NUMBER:
        return v.normalize_id_number(text)
    if t is FieldType.MOBILE:
        return v.normalize_mobile(text)
    if t is FieldType.PHONE:
        return v.normalize_phone(text)
    if t is FieldType.EMAIL:
        return v.normalize_email(text)
    if fld.catalogue:
        check_catalogue_name(fld.catalogue, text)
    limit = fld.max_length if t is FieldType.TEXT else max(fld.max_length, 2000)
    if len(text) > limit:
        raise InvalidValue(msg.FIELD_TOO_LONG.format(limit=limit))
    if _CONTROL_CHARACTERS.search(text):
        raise InvalidValue(msg.FIELD_CONTROL_CHARS)
    return text


def _options_text(fld: Field) -> str:
    """The choices as a user may type them: the value, with its label where the two differ."""
    return "、".join(o.value if o.value == o.label else f"{o.value}（{o.label}）" for o in fld.options)


def clean_field(fld: Field, raw: Any, path: str, result: CleanResult) -> Any:
    """Clean one field (a table recursively); errors land in ``result.errors`` by path."""
    if is_blank(raw):
        return None
    if fld.type is not FieldType.TABLE:
        try:
            return clean_scalar(fld, raw)
        except InvalidValue as exc:
            result.errors[path] = f"{fld.label}：{exc.message}"
            return None
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        result.errors[path] = f"{fld.label}：{msg.FIELD_TABLE}"
        return None
    if len(raw) > fld.max_rows:
        result.errors[path] = f"{fld.label}：{msg.FIELD_TOO_MANY_ROWS.format(limit=fld.max_rows)}"
        return None
    rows = []
    known = {c.key for c in fld.columns}
    for index, row in enumerate(raw):
        for unknown in sorted(set(row) - known):
            result.errors[f"{path}[{index}].{unknown}"] = msg.FIELD_UNKNOWN
        cleaned_row = {}
        for column in fld.columns:
            value = clean_field(column, row.get(column.key), f"{path}[{index}].{column.key}", result)
            if value is not None:
                cleaned_row[column.key] = value
        derive_columns(fld, cleaned_row, f"{path}[{index}]", result.errors)
        rows.append(cleaned_row)
    return rows


def derive_columns(table: Field, row: dict[str, Any], path: str, errors: dict[str, str]) -> None:
    """Fill a row's derived columns from their source (资质类别 from the name); a typed value that
    disagrees with what the source says is refused, naming the expected one."""
    for column in table.columns:
        if not column.derived_from:
            continue
        source = row.get(column.derived_from)
        derived = DERIVATIONS[column.derivation](source) if isinstance(source, str) else None
        if derived is None:
            continue
        given = row.get(column.key)
        if given is not None and given != derived:
            expected = column.option_label(derived) or derived
            errors[f"{path}.{column.key}"] = f"{column.label}：" + msg.FIELD_DERIVED_DIFFERS.format(
                value=column.option_label(str(given)) or given, expected=expected, source=source
            )
            continue
        row[column.key] = derived


def clean_section_values(section: Section, raw: Mapping[str, Any]) -> CleanResult:
    """Check a partial save: present keys are validated, ``null`` clears a field.

    Returns cleaned values for the keys given; a key mapped to None means "clear it".
    """
    result = CleanResult()
    for key in raw:
        known = section.field(key)
        if known is None:
            result.errors[key] = msg.FIELD_UNKNOWN
        elif known.read_only:
            result.errors[key] = f"{known.label}：{msg.FIELD_READ_ONLY}"
    for fld in section.fields:
        if fld.key in raw and not fld.read_only:
            result.values[fld.key] = clean_field(fld, raw[fld.key], fld.key, result)
    return result


def date_range_errors(section: Section, values: Mapping[str, Any]) -> dict[str, str]:
    """Declared date ranges whose end is before their start, by the end field's path."""
    errors = {}
    for start_key, end_key in section.date_ranges:
        start, end = values.get(start_key), values.get(end_key)
        start_field, end_field = section.field(start_key), section.field(end_key)
        if start and end and start_field and end_field and end < start:
            errors[end_key] = msg.FIELD_DATE_BEFORE.format(end=end_field.label, start=start_field.label)
    return errors


def merge_section_values(current: Mapping[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in cleaned.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def prefill_sections(
    sections: tuple[Section, ...], values: Mapping[str, Mapping[str, Any]], facts: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Fill blank fields that declare ``prefill`` from what the login already knows (the CA certificate)."""
    filled = {key: dict(section_values) for key, section_values in values.items()}
    for section in sections:
        for fld in section.fields:
            known = facts.get(fld.prefill) if fld.prefill else None
            if known and is_blank((filled.get(section.key) or {}).get(fld.key)):
                filled.setdefault(section.key, {})[fld.key] = known
    return filled


def prefilled_paths(
    sections: tuple[Section, ...], values: Mapping[str, Mapping[str, Any]], facts: Mapping[str, Any]
) -> list[str]:
    """Paths still holding exactly what ``prefill_sections`` put there: what the user is asked to confirm."""
    return [
        f"{section.key}.{fld.key}"
        for section in sections
        for fld in section.fields
        if fld.prefill and facts.get(fld.prefill) and (values.get(section.key) or {}).get(fld.key) == facts[fld.prefill]
    ]


# ---------------------------------------------------------------------------- completeness


@dataclass(frozen=True)
class Missing:
    path: str
    label: str


@dataclass(frozen=True)
class MissingAttachment:
    kind: str
    label: str
    required_count: int
    uploaded_count: int


@dataclass(frozen=True)
class SectionStatus:
    key: str
    label: str
    saved: bool
    complete: bool
    missing_fields: tuple[Missing, ...]
    missing_attachments: tuple[MissingAttachment, ...]
    warnings: tuple[str, ...]


def missing_fields(section: Section, values: Mapping[str, Any]) -> list[Missing]:
    missing: list[Missing] = []
    for fld in section.fields:
        value = values.get(fld.key)
        if fld.type is FieldType.TABLE:
            rows = value or []
            if len(rows) < max(fld.min_rows, 1 if fld.required else 0):
                missing.append(Missing(fld.key, msg.MISSING_ROWS.format(label=fld.label, count=fld.min_rows or 1)))
            for index, row in enumerate(rows):
                for column in fld.columns:
                    if column.required and is_blank(row.get(column.key)):
                        missing.append(
                            Missing(
                                f"{fld.key}[{index}].{column.key}",
                                msg.MISSING_ROW_FIELD.format(label=fld.label, row=index + 1, column=column.label),
                            )
                        )
        elif fld.required and is_blank(value):
            missing.append(Missing(fld.key, fld.label))
    return missing


def missing_attachments(
    section_kinds: tuple[AttachmentKind, ...], counts: Mapping[str, int]
) -> list[MissingAttachment]:
    return [
        MissingAttachment(kind.key, kind.label, kind.min_count, counts.get(kind.key, 0))
        for kind in section_kinds
        if counts.get(kind.key, 0) < kind.min_count
    ]


def iter_dates(section: Section, values: Mapping[str, Any]) -> Iterator[tuple[str, Field, date]]:
    """Every expiring date in a section, with a human label for the row it belongs to."""
    for fld in section.expiring_fields:
        value = values.get(fld.key)
        if fld.type is FieldType.TABLE:
            for index, row in enumerate(value or []):
                for column in fld.columns:
                    if column.expires and row.get(column.key):
                        title = next(
                            (str(row[c.key]) for c in fld.columns if c.type is FieldType.TEXT and row.get(c.key)), ""
                        )
                        label = f"{fld.label}第{index + 1}行{('（' + title + '）') if title else ''}{column.label}"
                        yield label, column, date.fromisoformat(row[column.key])
        elif fld.expires and value:
            yield fld.label, fld, date.fromisoformat(value)


def expiry_warnings(section: Section, values: Mapping[str, Any], today: date, warn_days: int) -> list[str]:
    warnings = []
    for label, _fld, until in iter_dates(section, values):
        if until < today:
            warnings.append(msg.EXPIRED.format(label=label, date=until.isoformat()))
        elif (until - today).days <= warn_days:
            warnings.append(msg.EXPIRES_SOON.format(label=label, date=until.isoformat(), days=(until - today).days))
    return warnings


def section_status(
    section: Section,
    values: Mapping[str, Any] | None,
    attachment_counts: Mapping[str, int],
    today: date,
    warn_days: int = 30,
) -> SectionStatus:
    data = values or {}
    fields_missing = tuple(missing_fields(section, data)) if data else section.missing_when_empty
    attachments_missing = tuple(missing_attachments(section.attachments, attachment_counts))
    return SectionStatus(
        key=section.key,
        label=section.label,
        saved=values is not None,
        complete=values is not None and not fields_missing and not attachments_missing,
        missing_fields=fields_missing,
        missing_attachments=attachments_missing,
        warnings=tuple(expiry_warnings(section, data, today, warn_days)) if data else (),
    )


def person_ids(section: Section, values: Mapping[str, Any]) -> list[tuple[str, Field, int]]:
    """Every person chosen in a section, with the path and field that chose them."""
    found = []
    for fld in section.person_fields:
        value = values.get(fld.key)
        if fld.type is FieldType.PERSON and value is not None:
            found.append((fld.key, fld, int(value)))
        elif fld.type is FieldType.TABLE:
            for index, row in enumerate(value or []):
                for column in fld.columns:
                    if column.type is FieldType.PERSON and row.get(column.key) is not None:
                        found.append((f"{fld.key}[{index}].{column.key}", column, int(row[column.key])))
    return found


def attachment_refs(section: Section, values: Mapping[str, Any]) -> list[tuple[str, Field, str]]:
    """Every attachment a section's values point at, with the path and field that point."""
    found = []
    for fld in section.attachment_fields:
        value = values.get(fld.key)
        if fld.type is FieldType.ATTACHMENT and value:
            found.append((fld.key, fld, str(value)))
        elif fld.type is FieldType.TABLE:
            for index, row in enumerate(value or []):
                for column in fld.columns:
                    if column.type is FieldType.ATTACHMENT and row.get(column.key):
                        found.append((f"{fld.key}[{index}].{column.key}", column, str(row[column.key])))
    return found


def duplicate_rows(section: Section, values: Mapping[str, Any]) -> list[tuple[Field, int, int]]:
    """Rows repeating an earlier row on a table's ``unique_by`` columns: (table, row, first row)."""
    found = []
    for fld in section.fields:
        if fld.type is not FieldType.TABLE or not fld.unique_by:
            continue
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in enumerate(values.get(fld.key) or []):
            key = tuple(row.get(column) for column in fld.unique_by)
            if any(part is None for part in key):
                continue
            if key in seen:
                found.append((fld, index, seen[key]))
            else:
                seen[key] = index
    return found


def map_sensitive(section: Section, values: Mapping[str, Any], transform: Callable[[Any], Any]) -> dict[str, Any]:
    """Apply ``transform`` to every ID-number value (to encrypt, decrypt or mask it)."""
    out = dict(values)
    for fld in section.sensitive_fields:
        value = out.get(fld.key)
        if value is None:
            continue
        if fld.sensitive:
            out[fld.key] = transform(value)
        else:
            columns = fld.sensitive_columns
            out[fld.key] = [{k: transform(val) if k in columns else val for k, val in row.items()} for row in value]
    return out


def map_sensitive_record(section: Section, value: Any, transform: Callable[[Any], Any]) -> Any:
    """``map_sensitive`` over a filed-record entry: one section's values, or a list of them (append mode)."""
    if isinstance(value, list):
        return [map_sensitive(section, item, transform) for item in value if isinstance(item, Mapping)]
    if isinstance(value, Mapping):
        return map_sensitive(section, value, transform)
    return value
