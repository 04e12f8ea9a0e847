"""Step-by-step filing: what a draft still needs, one item at a time, and answers as people type them.

Everything is derived from the business declaration, so any business (a new one included) gets a
guided flow for free. Parsing only turns free text into the value the section save expects; the
section save's own validators then judge it, so a field is checked in one place only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from entryfiling import messages as msg
from entryfiling.domain.businesses import Business
from entryfiling.domain.fields import AttachmentKind, Field, FieldType, Section, is_blank
from entryfiling.domain.validators import InvalidValue, mask_id_number
from entryfiling.domain.values import format_amount, format_date, match_option

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
    FieldType.DATE: "2025年3月1日、2025-03-01 或 2025/3/1",
    FieldType.AMOUNT: "3500万元、人民币五千万元 或 1.2亿",
    FieldType.AREA: "120、120平方米 或 120㎡",
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


def said_back(fld: Field, stored: Any, person_name: str = "") -> str:
    """The stored value as the user reads it back ("5,000 万元", "2003年6月1日", the option's label)."""
    if fld.type in (FieldType.AMOUNT, FieldType.AREA):
        return format_amount(stored, fld.unit)
    if fld.type is FieldType.DATE:
        return format_date(stored)
    if fld.type is FieldType.ENUM:
        return fld.option_label(stored) or str(stored)
    if fld.type is FieldType.MULTI_ENUM:
        return "、".join(fld.option_label(item) or item for item in stored)
    if fld.type is FieldType.PERSON:
        return person_name or str(stored)
    if fld.sensitive:
        return mask_id_number(stored)
    return str(stored)


def refusal_at_question(fld: Field, value: Any, today: date) -> str | None:
    """A rule that can judge one answer on its own answers at the question, not only at submit (expiry)."""
    if fld.expires and isinstance(value, str) and date.fromisoformat(value) < today:
        return msg.CONVERSATION_EXPIRED.format(date=format_date(value))
    return None


def example_for(fld: Field, enterprise_type: str = "") -> str:
    """An example that fits the enterprise: a 监理 firm is shown a supervision qualification."""
    by_type = dict(fld.examples)
    if by_type:
        return by_type.get(enterprise_type) or next(iter(by_type.values()))
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


YES = frozenset(
    {"是", "是的", "对", "对的", "好", "好的", "同意", "确认", "可以", "嗯", "有", "还有", "yes", "y", "true", "1"}
)
NO = frozenset(
    {"否", "不", "不是", "不对", "没有", "没有了", "没了", "无", "不用", "不需要", "不同意", "no", "n", "false", "0"}
)


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
    """Turn a typed answer into the value the section save takes; structured values pass through.

    Amounts and dates pass through as typed: the section save reads them (domain.values), so the
    web form and the phone accept the same writing.
    """
    if not isinstance(raw, str):
        return raw
    text = _fullwidth_to_ascii(raw).strip()
    if fld.type is FieldType.ENUM:
        return _option(fld, text)
    if fld.type is FieldType.MULTI_ENUM:
        return [_option(fld, part) for part in re.split(r"[、,，;；\s]+", text) if part]
    if fld.type is FieldType.PERSON:
        return _person(text, persons)
    return raw


def _is_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and other scripts' digits ``int`` refuses."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _option(fld: Field, text: str) -> str:
    """A number picks the option shown with it; anything else is matched as the section save matches it."""
    if _is_number(text) and 1 <= int(text) <= len(fld.options):
        return fld.options[int(text) - 1].value
    return match_option(fld.options, text) or text


def _person(text: str, persons: Sequence[Choice]) -> int | str:
    if _is_number(text) and any(p.id == int(text) for p in persons):
        return int(text)
    named = [p for p in persons if p.name == text]
    if len(named) == 1:
        return named[0].id
    if len(named) > 1:
        raise AmbiguousAnswer(msg.GUIDED_PERSON_AMBIGUOUS.format(name=text, count=len(named)), named)
    raise InvalidValue(msg.GUIDED_PERSON_UNKNOWN.format(name=text))
