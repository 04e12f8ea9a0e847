"""Step-by-step filing: what a draft still needs, one item at a time, and answers as people type them.

Everything is derived from the business declaration, so any business (a new one included) gets a
guided flow for free. Parsing only turns free text into the value the section save expects; the
section save's own validators then judge it, so a field is checked in one place only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from entryfiling import messages as msg
from entryfiling.domain.businesses import Business
from entryfiling.domain.fields import AttachmentKind, Field, FieldType, Section, is_blank
from entryfiling.domain.validators import InvalidValue

ATTACHMENT_PREFIX = "attachment:"


@dataclass(frozen=True)
class Item:
    """One thing to ask: a field (``row`` set for a table cell) or an attachment kind."""

    section: Section
    path: str  # "basic_info.contact_name", "qualifications.qualifications[0].name", "basic_info.attachment:x"
    field: Field | None = None
    table: Field | None = None
    row: int | None = None
    attachment: AttachmentKind | None = None
    done: bool = False

    @property
    def label(self) -> str:
        if self.attachment is not None:
            return self.attachment.label
        assert self.field is not None
        if self.table is not None and self.row is not None:
            return msg.GUIDED_ROW_LABEL.format(table=self.table.label, row=self.row + 1, column=self.field.label)
        return self.field.label


def _table_rows(table: Field, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = values.get(table.key) or []
    wanted = max(table.min_rows, 1 if table.required else 0, len(rows))
    return [*rows, *({} for _ in range(wanted - len(rows)))]


def items(business: Business, sections: Mapping[str, Mapping[str, Any]], counts: Mapping[str, int]) -> list[Item]:
    """Every item of the business in declaration order, with whether it is already answered.

    Required fields and attachments only: optional ones can be answered at any time by path.
    """
    found: list[Item] = []
    for section in business.sections:
        values = sections.get(section.key) or {}
        for kind_key in section.save_requires:
            kind = business.attachment_kind(kind_key)
            if kind is not None:
                found.append(_attachment_item(section, kind, counts))
        for fld in section.fields:
            if fld.type is FieldType.TABLE:
                for index, row in enumerate(_table_rows(fld, values)):
                    for column in fld.columns:
                        if column.required:
                            path = f"{section.key}.{fld.key}[{index}].{column.key}"
                            done = not is_blank(row.get(column.key))
                            found.append(Item(section, path, column, fld, index, done=done))
            elif fld.required:
                found.append(Item(section, f"{section.key}.{fld.key}", fld, done=not is_blank(values.get(fld.key))))
        for kind in section.attachments:
            if kind.required and kind.key not in section.save_requires:
                found.append(_attachment_item(section, kind, counts))
    return found


def _attachment_item(section: Section, kind: AttachmentKind, counts: Mapping[str, int]) -> Item:
    return Item(
        section,
        f"{section.key}.{ATTACHMENT_PREFIX}{kind.key}",
        attachment=kind,
        done=counts.get(kind.key, 0) >= kind.min_count,
    )


def resolve(
    business: Business, sections: Mapping[str, Mapping[str, Any]], counts: Mapping[str, int], path: str
) -> Item:
    """The item a path names, optional fields and new table rows included."""
    section_key, _, rest = path.partition(".")
    section = business.section(section_key)
    if section is None or not rest:
        raise InvalidValue(msg.GUIDED_UNKNOWN_PATH.format(path=path))
    values = sections.get(section.key) or {}
    if rest.startswith(ATTACHMENT_PREFIX):
        kind = business.attachment_kind(rest.removeprefix(ATTACHMENT_PREFIX))
        if kind is None:
            raise InvalidValue(msg.GUIDED_UNKNOWN_PATH.format(path=path))
        return _attachment_item(section, kind, counts)
    match = re.fullmatch(r"(\w+)\[(\d{1,3})\]\.(\w+)", rest)
    if match:
        table, column = section.field(match[1]), None
        if table is not None and table.type is FieldType.TABLE:
            column = next((c for c in table.columns if c.key == match[3]), None)
        row = int(match[2])
        if table is None or column is None or row > len(values.get(table.key) or []) or row >= table.max_rows:
            raise InvalidValue(msg.GUIDED_UNKNOWN_PATH.format(path=path))
        rows = values.get(table.key) or []
        current = rows[row].get(column.key) if row < len(rows) else None
        return Item(section, path, column, table, row, done=not is_blank(current))
    fld = section.field(rest)
    if fld is None or fld.type is FieldType.TABLE:
        raise InvalidValue(msg.GUIDED_UNKNOWN_PATH.format(path=path))
    return Item(section, path, fld, done=not is_blank(values.get(fld.key)))


def next_item(all_items: Sequence[Item]) -> Item | None:
    return next((item for item in all_items if not item.done), None)


def previous_item(all_items: Sequence[Item], path: str | None) -> Item | None:
    """The item before ``path`` (before the next missing one when no path is given)."""
    paths = [item.path for item in all_items]
    if path is None:
        upcoming = next_item(all_items)
        index = paths.index(upcoming.path) if upcoming else len(paths)
    elif path in paths:
        index = paths.index(path)
    else:
        raise InvalidValue(msg.GUIDED_UNKNOWN_PATH.format(path=path))
    return all_items[index - 1] if index > 0 else None


@dataclass(frozen=True)
class SectionProgress:
    section: str
    label: str
    done: int
    total: int


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    sections: list[SectionProgress]


def progress(all_items: Sequence[Item]) -> Progress:
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for item in all_items:
        done_total = counts.setdefault(item.section.key, [0, 0])
        labels[item.section.key] = item.section.label
        done_total[0] += int(item.done)
        done_total[1] += 1
    return Progress(
        done=sum(int(i.done) for i in all_items),
        total=len(all_items),
        sections=[SectionProgress(key, labels[key], done, total) for key, (done, total) in counts.items()],
    )


# ---------------------------------------------------------------------------- prompts

EXAMPLES: dict[FieldType, str] = {
    FieldType.DATE: "2025-03-01 或 2025年3月1日",
    FieldType.AMOUNT: "3500万元、1.2亿 或 3500",
    FieldType.MOBILE: "13912345678",
    FieldType.PHONE: "0991-1234567 或 13912345678",
    FieldType.EMAIL: "name@example.com",
    FieldType.USCC: "91350100M000100Y43",
    FieldType.ID_NUMBER: "18 位居民身份证号",
    FieldType.INTEGER: "12",
    FieldType.PERSON: "人员姓名，如 张建国",
}


def prompt_for(item: Item) -> str:
    if item.attachment is not None:
        return msg.GUIDED_PROMPT_ATTACHMENT.format(label=item.attachment.label)
    assert item.field is not None
    if item.field.prompt:
        return f"{msg.GUIDED_PROMPT.format(label=item.label)}（{item.field.prompt}）"
    if item.field.type in (FieldType.ENUM, FieldType.MULTI_ENUM, FieldType.PERSON):
        return msg.GUIDED_PROMPT_CHOICE.format(label=item.label)
    return msg.GUIDED_PROMPT.format(label=item.label)


def example_for(fld: Field) -> str:
    if fld.options:
        return "回复序号或名称：" + "；".join(f"{n}. {o.label}" for n, o in enumerate(fld.options, 1))
    return EXAMPLES.get(fld.type, "")


# ---------------------------------------------------------------------------- free text


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    hint: str = ""


class AmbiguousAnswer(InvalidValue):
    """Several candidates fit (two persons of one name): the user must pick one of ``choices``."""

    def __init__(self, message: str, choices: Sequence[Choice]) -> None:
        super().__init__(message)
        self.choices = list(choices)


_DATE = re.compile(r"(\d{4})\s*[年./\-/]\s*(\d{1,2})\s*[月./\-/]\s*(\d{1,2})\s*[日号]?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(亿元|亿|万元|万|元)?")
_UNIT_IN_YUAN = {
    "亿元": Decimal(100_000_000),
    "亿": Decimal(100_000_000),
    "万元": Decimal(10_000),
    "万": Decimal(10_000),
    "元": Decimal(1),
}
YES = frozenset({"是", "是的", "对", "对的", "好", "好的", "同意", "确认", "可以", "嗯", "yes", "y", "true", "1"})
NO = frozenset({"否", "不", "不是", "不对", "没有", "无", "不同意", "no", "n", "false", "0"})


def _fullwidth_to_ascii(text: str) -> str:
    return "".join(chr(ord(ch) - 0xFEE0) if "！" <= ch <= "～" else ch for ch in text).replace("\u3000", " ")


def parse_yes_no(text: str) -> bool:
    normalized = _fullwidth_to_ascii(text).strip().lower().rstrip("。.!！")
    if normalized in YES:
        return True
    if normalized in NO:
        return False
    raise InvalidValue(msg.GUIDED_YES_NO)


def understand(fld: Field, raw: Any, persons: Sequence[Choice] = ()) -> Any:
    """Turn a typed answer into the value the section save takes; structured values pass through."""
    if not isinstance(raw, str):
        return raw
    text = _fullwidth_to_ascii(raw).strip()
    if fld.type is FieldType.DATE:
        if match := _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
            return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}"
        return text
    if fld.type is FieldType.ENUM:
        return _option(fld, text)
    if fld.type is FieldType.MULTI_ENUM:
        return [_option(fld, part) for part in re.split(r"[、,，;；\s]+", text) if part]
    if fld.type is FieldType.AMOUNT:
        return _amount(fld, text)
    if fld.type is FieldType.PERSON:
        return _person(text, persons)
    return raw


def _is_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and other scripts' digits ``int`` refuses."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _option(fld: Field, text: str) -> str:
    if _is_number(text) and 1 <= int(text) <= len(fld.options):
        return fld.options[int(text) - 1].value
    for option in fld.options:
        if text in (option.value, option.label):
            return option.value
    matches = [o for o in fld.options if text and text in o.label]
    return matches[0].value if len(matches) == 1 else text


def _amount(fld: Field, text: str) -> str:
    match = _AMOUNT.fullmatch(text.replace(",", "").replace("，", ""))
    if not match:
        return text
    try:
        amount = Decimal(match[1])
    except InvalidOperation:
        return text
    unit = match[2]
    if unit is None:
        return str(amount)
    target = _UNIT_IN_YUAN.get(fld.unit or "元", Decimal(1))
    converted = amount * _UNIT_IN_YUAN[unit] / target
    return format(converted.quantize(Decimal("0.01")), "f")


def _person(text: str, persons: Sequence[Choice]) -> int | str:
    if _is_number(text) and any(p.id == int(text) for p in persons):
        return int(text)
    named = [p for p in persons if p.name == text]
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        raise AmbiguousAnswer(msg.GUIDED_PERSON_AMBIGUOUS.format(name=text, count=len(named)), named)
    raise InvalidValue(msg.GUIDED_PERSON_UNKNOWN.format(name=text))
