"""Filling a filing by conversation: a free sentence becomes field values, then the next question.

Deterministic and driven by the business declaration only: a field is recognised by its label and
the ``synonyms`` declared with it, its value is read by the same parser as a section save
(``fields.clean_scalar``), and what to ask next comes from the same item list as the step-by-step
flow (``guided.items``). No per-business code: a new business converses as soon as it is declared.

A sentence is cut into clauses at punctuation; in each clause the longest field names found mark
where values start ("注册资本5000万元" and "2003年6月1日成立" both work). A clause naming no field
answers the question asked last, so "李德拓" after "请填写法定代表人姓名" is understood too.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cn2an

from entryfiling import messages as msg
from entryfiling.domain import guided
from entryfiling.domain.businesses import Business
from entryfiling.domain.fields import Field, FieldType, Section, clean_scalar, is_blank
from entryfiling.domain.validators import InvalidValue

# Clauses end at punctuation; a comma between digits that groups thousands ("3,500万元") does not end one.
_CLAUSE_BREAK = re.compile(r"(?:[，；;。\n！!？?]|,(?!(?<=[0-9],)[0-9]{3}(?![0-9])))+")
# Words around a value that carry no meaning of their own ("把…改成…", "…是…", "成立于…").
_LEADING_FILLER = re.compile(
    r"^(?:请|帮我|麻烦|我们的?|公司的?|企业的?|把|将|的|是|为|叫|在|于|改成|改为|改到|更正为|更改为|修改为|换成|应为|应该是|填|写|:|：|\s)+"
)
_TRAILING_FILLER = re.compile(r"(?:的|了|吧|呢|啊|改一下|更正一下|\s)+$")
_ROW_REFERENCE = re.compile(r"第\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:条|个|项|行|张)")
_ADD_ROW = re.compile(
    r"^(?:还有|再加|再添|再增加|添加|增加|新增|加)\s*(?:一|1|另)?\s*(?:项|个|条|张)?\s*(?:其他|别的|新的)?的?"
)
SKIP_WORDS = frozenset({"跳过", "略过", "不填", "没有", "无", "不用", "不需要", "暂无", "下一项", "下一个", "skip"})
_CONFIRM_WORDS = frozenset(
    {"确认", "确认无误", "核对无误", "无误", "没问题", "对的", "正确", "好了", "好的", "是", "是的", "对", "可以"}
)
_SUBMIT = re.compile(r"(?:同意.*提交|确认提交|提交申请|^提交$)")
MAX_QUICK_REPLIES = 12


@dataclass
class State:
    """What a conversation remembers between messages (everything else is read from the draft)."""

    confirmed: bool = False  # prefilled values shown and accepted (or corrected)
    closed_tables: list[str] = field(default_factory=list)  # "qualifications.qualifications": no more rows
    adding: dict[str, int] = field(default_factory=dict)  # table path → the row the user opened
    offered: list[str] = field(default_factory=list)  # optional paths offered once
    reviewed: bool = False  # the summary ("请核对") was accepted

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> State:
        data = data or {}
        return cls(
            confirmed=bool(data.get("confirmed")),
            closed_tables=list(data.get("closed_tables") or []),
            adding={str(k): int(v) for k, v in (data.get("adding") or {}).items()},
            offered=list(data.get("offered") or []),
            reviewed=bool(data.get("reviewed")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "closed_tables": self.closed_tables,
            "adding": self.adding,
            "offered": self.offered,
            "reviewed": self.reviewed,
        }


@dataclass(frozen=True)
class Target:
    """Where a value goes: a section field, or a cell of a table row."""

    section: Section
    field: Field
    table: Field | None = None
    row: int | None = None

    @property
    def path(self) -> str:
        if self.table is not None:
            return f"{self.section.key}.{self.table.key}[{self.row}].{self.field.key}"
        return f"{self.section.key}.{self.field.key}"

    @property
    def label(self) -> str:
        if self.table is not None and self.row is not None:
            return msg.GUIDED_ROW_LABEL.format(table=self.table.label, row=self.row + 1, column=self.field.label)
        return self.field.label


@dataclass(frozen=True)
class Question:
    """What the conversation asks next; ``kind`` tells a client which quick replies to offer."""

    kind: str  # field | optional | more_rows | confirm | attachment | review | ready
    text: str
    target: Target | None = None
    table_path: str = ""
    quick_replies: tuple[str, ...] = ()
    attachment: str = ""


@dataclass(frozen=True)
class Recorded:
    path: str
    label: str
    said: str
    corrected: bool


@dataclass
class Turn:
    """The outcome of one message: what to save, what was understood, refused or not understood."""

    sections: dict[str, dict[str, Any]]
    changed: dict[str, set[str]] = field(default_factory=dict)  # section → field keys to save
    recorded: list[Recorded] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (label or fragment, reason)
    unknown: list[str] = field(default_factory=list)
    submit: bool = False


@dataclass(frozen=True)
class Context:
    """What the conversation knows beyond the draft: persons to choose from, today, enterprise type."""

    persons: Sequence[guided.Choice] = ()
    today: date = field(default_factory=date.today)
    enterprise_type: str = ""
    prefilled: tuple[str, ...] = ()  # paths filled when the filing opened, to confirm


# ---------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Name:
    phrase: str
    section: Section
    field: Field
    table: Field | None = None


def _vocabulary(business: Business) -> list[_Name]:
    names: list[_Name] = []
    for section in business.sections:
        for fld in section.fields:
            if fld.read_only:
                continue
            if fld.type is FieldType.TABLE:
                for column in fld.columns:
                    # A derived column (资质类别) is filled from its source on save, never told.
                    if column.type is not FieldType.ATTACHMENT and not column.derived_from:
                        names.extend(_Name(phrase, section, column, fld) for phrase in column.names)
            elif fld.type is not FieldType.ATTACHMENT:
                names.extend(_Name(phrase, section, fld) for phrase in fld.names)
    return names


def _tables(business: Business) -> list[tuple[Section, Field]]:
    return [(s, f) for s in business.sections for f in s.fields if f.type is FieldType.TABLE and not f.read_only]


def _mentions(clause: str, vocabulary: Sequence[_Name]) -> list[tuple[int, int, list[_Name]]]:
    """Non-overlapping field names in the clause, longest first: (start, end, every field so named)."""
    by_phrase: dict[str, list[_Name]] = {}
    for name in vocabulary:
        by_phrase.setdefault(name.phrase.lower(), []).append(name)
    taken: list[tuple[int, int, list[_Name]]] = []
    lowered = clause.lower()
    for phrase in sorted(by_phrase, key=len, reverse=True):
        start = lowered.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, by_phrase[phrase]))
            start = lowered.find(phrase, end)
    return sorted(taken, key=lambda m: m[0])


def _strip(text: str) -> str:
    text = _TRAILING_FILLER.sub("", _LEADING_FILLER.sub("", text.strip()))
    return text.strip()


def _row_number(text: str) -> int | None:
    """ "第3条" / "第三条": the 1-based row a clause names, if any."""
    match = _ROW_REFERENCE.search(text)
    if not match:
        return None
    try:
        return int(cn2an.cn2an(match[1], "smart"))
    except ValueError:
        return None


# ---------------------------------------------------------------------------- the flow


def _rows(sections: Mapping[str, Any], section: Section, table: Field) -> list[dict[str, Any]]:
    return list((sections.get(section.key) or {}).get(table.key) or [])


def row_complete(table: Field, row: Mapping[str, Any]) -> bool:
    return all(not is_blank(row.get(c.key)) for c in table.columns if c.required)


def _focus_row(sections: Mapping[str, Any], state: State, section: Section, table: Field) -> int:
    """The row a table column without a row number goes to: the one being added, else the first incomplete."""
    path = f"{section.key}.{table.key}"
    rows = _rows(sections, section, table)
    if path in state.adding:
        return state.adding[path]
    for index, row in enumerate(rows):
        if not row_complete(table, row):
            return index
    return max(len(rows) - 1, 0)  # all rows complete: a value without "还有一项" corrects the last one


def next_question(
    business: Business, sections: Mapping[str, Any], counts: Mapping[str, int], state: State, ctx: Context
) -> Question:
    """The one thing to ask now, in this order: confirm prefilled values, required items (a table row by
    row, then "还有其他…吗？"), each optional field once, attachments, the summary, then submission."""
    if ctx.prefilled and not state.confirmed:
        shown = "；".join(_said_path(business, sections, path, ctx) for path in ctx.prefilled)
        return Question("confirm", msg.CONVERSATION_CONFIRM_PREFILL.format(values=shown), quick_replies=("是的",))
    for section, table in _tables(business):
        path = f"{section.key}.{table.key}"
        if path in state.adding:
            row = state.adding[path]
            rows = _rows(sections, section, table)
            current = rows[row] if row < len(rows) else {}
            column = next((c for c in table.columns if c.required and is_blank(current.get(c.key))), None)
            if column is not None:
                return _ask(Target(section, column, table, row), ctx)
    items = guided.items(business, sections, counts)
    pending_upload: guided.Item | None = None
    for section in business.sections:
        own = [item for item in items if item.section.key == section.key and not item.done]
        blocking = next(
            (i for i in own if i.attachment is not None and i.attachment.key in section.save_requires), None
        )
        if blocking is not None:  # the section cannot be saved before this upload
            return _upload(blocking)
        field_item = next((i for i in own if i.field is not None), None)
        if field_item is not None:
            return _ask(Target(section, field_item.field, field_item.table, field_item.row), ctx)  # type: ignore[arg-type]
        if (offered := offer(section, sections, state, ctx)) is not None:
            return offered
        pending_upload = pending_upload or next((i for i in own if i.attachment is not None), None)
    if pending_upload is not None:
        return _upload(pending_upload)
    if not state.reviewed:
        text = msg.CONVERSATION_REVIEW.format(summary=summary(business, sections, ctx))
        return Question("review", text, quick_replies=("确认无误",))
    return Question("ready", msg.CONVERSATION_READY, quick_replies=("同意承诺并提交",))


def _upload(item: guided.Item) -> Question:
    assert item.attachment is not None
    text = msg.GUIDED_PROMPT_ATTACHMENT.format(label=item.attachment.label)
    return Question("attachment", text, attachment=item.attachment.key)


def offer(section: Section, sections: Mapping[str, Any], state: State, ctx: Context) -> Question | None:
    """Once a section's required fields are in: another table row?, then each optional field once."""
    values = sections.get(section.key) or {}
    for fld in section.fields:
        if fld.read_only or fld.type is FieldType.ATTACHMENT:
            continue
        path = f"{section.key}.{fld.key}"
        if fld.type is FieldType.TABLE:
            rows = values.get(fld.key) or []
            if rows and path not in state.closed_tables and len(rows) < fld.max_rows:
                text = msg.CONVERSATION_MORE_ROWS.format(table=fld.label)
                return Question("more_rows", text, table_path=path, quick_replies=("有", "没有了"))
        elif not fld.required and is_blank(values.get(fld.key)) and path not in state.offered:
            target = Target(section, fld)
            asked = _ask(target, ctx)
            text = msg.CONVERSATION_OPTIONAL.format(question=asked.text)
            return Question("optional", text, target, quick_replies=(*asked.quick_replies, "跳过"))
    return None


def _ask(target: Target, ctx: Context) -> Question:
    fld = target.field
    example = guided.example_for(fld, ctx.enterprise_type)
    if len(fld.options) > MAX_QUICK_REPLIES:  # a long list (33 provinces) is typed, not read out
        example = msg.CONVERSATION_CHOICE_EXAMPLE.format(label=fld.options[0].label)
    text = msg.GUIDED_PROMPT.format(label=target.label)
    if fld.type in (FieldType.ENUM, FieldType.MULTI_ENUM, FieldType.PERSON):
        text = msg.GUIDED_PROMPT_CHOICE.format(label=target.label)
    if fld.unit:
        text = f"{text}（单位：{fld.unit}）"
    if example:
        text = f"{text}，例如：{example}"
    replies: tuple[str, ...] = ()
    if fld.options and len(fld.options) <= MAX_QUICK_REPLIES:
        replies = tuple(o.label for o in fld.options)
    elif fld.type is FieldType.PERSON:
        replies = tuple(p.name for p in ctx.persons[:MAX_QUICK_REPLIES])
    return Question("field", text, target, quick_replies=replies)


def _value_at(sections: Mapping[str, Any], target: Target) -> Any:
    values = sections.get(target.section.key) or {}
    if target.table is None:
        return values.get(target.field.key)
    rows = values.get(target.table.key) or []
    return rows[target.row].get(target.field.key) if target.row is not None and target.row < len(rows) else None


def _said(fld: Field, value: Any, ctx: Context) -> str:
    name = next((p.name for p in ctx.persons if fld.type is FieldType.PERSON and p.id == value), "")
    return guided.said_back(fld, value, name)


def _said_path(business: Business, sections: Mapping[str, Any], path: str, ctx: Context) -> str:
    section_key, _, key = path.partition(".")
    section = business.section(section_key)
    fld = section.field(key) if section else None
    if section is None or fld is None:
        return path
    value = (sections.get(section.key) or {}).get(fld.key)
    return f"{fld.label} {_said(fld, value, ctx) if value is not None else '（空）'}"


def summary(business: Business, sections: Mapping[str, Any], ctx: Context) -> str:
    """Everything filled in, section by section, as the clerk checks it before submitting."""
    lines = []
    for section in business.sections:
        values = sections.get(section.key) or {}
        parts = []
        for fld in section.fields:
            value = values.get(fld.key)
            if is_blank(value):
                continue
            if fld.type is FieldType.TABLE:
                for index, row in enumerate(value or []):
                    cells = "，".join(
                        f"{c.label} {_said(c, row[c.key], ctx)}" for c in fld.columns if not is_blank(row.get(c.key))
                    )
                    parts.append(f"{fld.label}{index + 1}：{cells}")
            elif fld.type is not FieldType.ATTACHMENT:
                parts.append(f"{fld.label} {_said(fld, value, ctx)}")
        if parts:
            lines.append(f"【{section.label}】" + "；".join(parts))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- one message


def _resolve(candidates: list[_Name], sections: Mapping[str, Any], prefer: Section | None) -> _Name:
    """One field for a name several fields share ("手机"): the section just talked about, then an empty one."""

    def score(name: _Name) -> tuple[int, int]:
        same = prefer is not None and name.section.key == prefer.key
        values = sections.get(name.section.key) or {}
        empty = name.table is not None or is_blank(values.get(name.field.key))
        return (0 if same else 1, 0 if empty else 1)

    return min(candidates, key=score)


def converse(
    business: Business,
    sections: Mapping[str, Any],
    counts: Mapping[str, int],
    state: State,
    text: str,
    ctx: Context,
) -> tuple[Turn, State]:
    """Read one message against the draft; returns the new values to save and the new state."""
    turn = Turn(sections=copy.deepcopy(dict(sections)))
    state = State.from_json(state.to_json())
    vocabulary = _vocabulary(business)
    tables = _tables(business)
    table_names = {phrase.lower() for _section, table in tables for phrase in table.names}
    normalized = unicodedata.normalize("NFKC", text).strip()
    prefer: Section | None = None
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(normalized) if c.strip()]
    # A clause naming no field answers the question when it opens the message ("李德拓，身份证…"), in a
    # message of bare answers, or right after "还有一项资质" opened a row; elsewhere it is likely chatter.
    bare_message = not any(_mentions(c, vocabulary) for c in clauses)
    just_added = False
    for position, clause in enumerate(clauses):
        question = next_question(business, turn.sections, counts, state, ctx)
        if _SUBMIT.search(clause):
            turn.submit = True
            continue
        if (added := _add_row(clause, tables, turn.sections, state)) is not None:
            section, table, rest = added
            prefer, just_added = section, True
            if rest:
                row = state.adding[f"{section.key}.{table.key}"]
                column = next((c for c in table.columns if c.required), table.columns[0])
                _record(turn, state, Target(section, column, table, row), rest, ctx)
            continue
        mentions = _mentions(clause, vocabulary)
        if not mentions:
            if bare_message or just_added or position == 0 or question.kind in ("confirm", "more_rows", "review"):
                prefer = _answer(turn, state, question, clause, ctx) or prefer
            else:
                turn.unknown.append(clause)
            just_added = False
            continue
        just_added = False
        row_number = _row_number(clause)
        skip_rest = False
        for index, (start, end, candidates) in enumerate(mentions):
            if skip_rest:
                break
            following = mentions[index + 1][0] if index + 1 < len(mentions) else len(clause)
            preceding = mentions[index - 1][1] if index > 0 else 0
            value = _strip(_ROW_REFERENCE.sub("", clause[end:following]))
            if not value:
                value = _strip(_ROW_REFERENCE.sub("", clause[preceding:start]))
            if not value and clause[start:end].lower() in table_names:
                continue  # "第3条资质的证书编号": the table named, not its column
            if not value and index + 1 < len(mentions):
                # "职务进疆负责人": a field's value that happens to be another field's name.
                value, skip_rest = _strip(clause[end:]), True
            name = _resolve(candidates, turn.sections, prefer or (question.target.section if question.target else None))
            prefer = name.section
            if name.table is None:
                target = Target(name.section, name.field)
            else:
                row = row_number - 1 if row_number else _focus_row(turn.sections, state, name.section, name.table)
                row = min(max(row, 0), len(_rows(turn.sections, name.section, name.table)))
                target = Target(name.section, name.field, name.table, row)
            if not value:
                turn.refused.append((target.label, msg.CONVERSATION_VALUE_MISSING.format(label=target.label)))
                continue
            _record(turn, state, target, value, ctx)
    return turn, state


def _add_row(
    clause: str, tables: Sequence[tuple[Section, Field]], sections: Mapping[str, Any], state: State
) -> tuple[Section, Field, str] | None:
    """ "还有一项资质（，…）": open a new row of the table so named; returns the rest of the clause."""
    match = _ADD_ROW.match(clause)
    if not match:
        return None
    rest = clause[match.end() :]
    for section, table in tables:
        for phrase in sorted(table.names, key=len, reverse=True):
            if rest.startswith(phrase):
                path = f"{section.key}.{table.key}"
                state.adding[path] = len(_rows(sections, section, table))
                if path in state.closed_tables:
                    state.closed_tables.remove(path)
                return section, table, _strip(rest[len(phrase) :])
    return None


def _answer(turn: Turn, state: State, question: Question, clause: str, ctx: Context) -> Section | None:
    """A clause naming no field: the answer to the question asked."""
    word = clause.strip().lower()
    if question.kind == "confirm":
        if _is_yes(word):
            state.confirmed = True
            return None
        turn.unknown.append(clause)
        return None
    if question.kind == "more_rows":
        try:
            more = guided.parse_yes_no(word)
        except InvalidValue:
            more = None
        if more is None:
            turn.unknown.append(clause)
            return None
        section_key, _, table_key = question.table_path.partition(".")
        if more:
            rows = (turn.sections.get(section_key) or {}).get(table_key) or []
            state.adding[question.table_path] = len(rows)
        else:
            state.closed_tables.append(question.table_path)
        return None
    if question.kind == "optional" and question.target is not None:
        if word in SKIP_WORDS:
            state.offered.append(question.target.path)
            return question.target.section
        _record(turn, state, question.target, clause, ctx)
        return question.target.section
    if question.kind == "field" and question.target is not None:
        if word in SKIP_WORDS:
            turn.refused.append((question.target.label, msg.CONVERSATION_REQUIRED))
            return question.target.section
        _record(turn, state, question.target, clause, ctx)
        return question.target.section
    if question.kind == "review" and (_is_yes(word) or word in _CONFIRM_WORDS):
        state.reviewed = True
        return None
    turn.unknown.append(clause)
    return None


def _is_yes(word: str) -> bool:
    try:
        return guided.parse_yes_no(word)
    except InvalidValue:
        return word in _CONFIRM_WORDS


def _record(turn: Turn, state: State, target: Target, text: str, ctx: Context) -> None:
    """Read ``text`` as the target's value with the section save's own parser; keep it or say why not."""
    fld = target.field
    try:
        understood = guided.understand(fld, text, ctx.persons)
        value = clean_scalar(fld, understood)
        if reason := guided.refusal_at_question(fld, value, ctx.today):
            raise InvalidValue(reason)
    except InvalidValue as exc:
        turn.refused.append((target.label, exc.message))
        return
    previous = _value_at(turn.sections, target)
    values = turn.sections.setdefault(target.section.key, {})
    if target.table is None:
        values[fld.key] = value
        turn.changed.setdefault(target.section.key, set()).add(fld.key)
    else:
        rows = [dict(row) for row in values.get(target.table.key) or []]
        assert target.row is not None
        rows.extend({} for _ in range(target.row + 1 - len(rows)))
        rows[target.row][fld.key] = value
        values[target.table.key] = rows
        turn.changed.setdefault(target.section.key, set()).add(target.table.key)
        table_path = f"{target.section.key}.{target.table.key}"
        if state.adding.get(table_path) == target.row and row_complete(target.table, rows[target.row]):
            del state.adding[table_path]
    state.reviewed = False
    turn.recorded.append(
        Recorded(
            target.path, target.label, _said(fld, value, ctx), corrected=previous is not None and previous != value
        )
    )
