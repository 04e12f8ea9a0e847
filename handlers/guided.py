"""Guided filing on the phone: next item, one answer at a time, back.

Answers are saved through ``save_section``, the same path and validators as the web form, so the
web and the phone edit one draft under one ETag.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.drafts import DraftEditor, StoredDraft, read_draft_with_remembered
from entryfiling.domain import conversation, guided
from entryfiling.domain.commitment_letter import AGREEMENT_TEXT
from entryfiling.domain.content_types import LABELS as CONTENT_TYPE_LABELS
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.fields import FieldType, clean_scalar, is_blank
from entryfiling.domain.filing import require_draft
from entryfiling.domain.validators import InvalidValue, mask_id_number
from handlers import persons
from handlers.conversation import remember_in
from handlers.filings.queries import DraftState, draft_state, draft_state_of
from handlers.filings.sections import save_answer
from handlers.guided_views import (
    GUIDED_STATUS_LABELS,
    AttachmentAsk,
    GuidedView,
    OptionChoice,
    PersonChoice,
    Step,
    Submission,
    as_json,
)
from handlers.services import Actor, Services

MAX_PERSON_CHOICES = 100
SIGNED_LETTER_KIND = "commitment_letter"


def _choices(services: Services, actor: Actor) -> list[guided.Choice]:
    page = persons.selectable_persons(services, actor, None, 1, MAX_PERSON_CHOICES)
    return [guided.Choice(p["id"], p["name"], p["id_number"]) for p in page["items"]]


def _current(item: guided.Item, state: DraftState, choices: list[guided.Choice]) -> Any:
    values = state.sections.get(item.section.key) or {}
    if item.field is None:
        return state.attachment_counts.get(item.attachment.key, 0) if item.attachment else None
    if item.table is not None and item.row is not None:
        rows = values.get(item.table.key) or []
        value = rows[item.row].get(item.field.key) if item.row < len(rows) else None
    else:
        value = values.get(item.field.key)
    if value is None:
        return None
    if item.field.sensitive:
        return mask_id_number(value)
    if item.field.type is FieldType.PERSON:
        return next(({"id": c.id, "name": c.name} for c in choices if c.id == value), {"id": value})
    return value


def _step(item: guided.Item, state: DraftState, choices: list[guided.Choice]) -> Step:
    common: dict[str, Any] = {
        "path": item.path,
        "section": item.section.key,
        "section_label": item.section.label,
        "label": item.label,
        "prompt": guided.prompt_for(item),
        "done": item.done,
        "current": _current(item, state, choices),
    }
    if item.attachment is not None:
        kind = item.attachment
        return Step(
            **common,
            type="attachment",
            attachment=AttachmentAsk(
                kind=kind.key,
                label=kind.label,
                content_types=list(kind.content_types),
                formats="、".join(CONTENT_TYPE_LABELS[t] for t in kind.content_types),
                max_bytes=kind.max_bytes,
                min_count=kind.min_count,
                max_count=kind.max_count,
            ),
            hint=msg.GUIDED_ATTACHMENT_BY_UPLOAD.format(
                label=kind.label, formats="、".join(CONTENT_TYPE_LABELS[t] for t in kind.content_types)
            ),
        )
    fld = item.field
    assert fld is not None
    return Step(
        **common,
        type=fld.type.value,
        required=fld.required,
        example=guided.example_for(fld, state.enterprise_type),
        options=[OptionChoice(n, o.value, o.label) for n, o in enumerate(fld.options, 1)] if fld.options else None,
        persons=[PersonChoice(c.id, c.name, c.hint) for c in choices] if fld.type is FieldType.PERSON else None,
        unit=fld.unit or None,
        max_length=fld.max_length if fld.type in (FieldType.TEXT, FieldType.TEXTAREA) else None,
    )


# What the guided flow's status means, for the person.
def _view(
    state: DraftState, item: guided.Item | None, all_items: list[guided.Item], choices: list[guided.Choice]
) -> GuidedView:
    status = "ask" if item is not None and not item.done else ("ready" if item is None else "review")
    common: dict[str, Any] = {
        "filing_id": state.filing_id,
        "enterprise_id": state.enterprise_id,
        "etag": state.etag,
        "status": status,
        "status_label": GUIDED_STATUS_LABELS[status],
        "progress": guided.progress(all_items),
    }
    if item is not None:
        return GuidedView(**common, step=_step(item, state, choices))
    submission = Submission(state.filing_id, state.enterprise_id, SIGNED_LETTER_KIND, AGREEMENT_TEXT)
    return GuidedView(**common, message=msg.GUIDED_READY, submission=submission)


def next_step(services: Services, actor: Actor, filing_id: int) -> GuidedView:
    with services.read_connection() as connection:
        draft, stored = read_draft_with_remembered(connection, actor.enterprise_id, filing_id)
    return _next_view(services, actor, draft_state_of(services, draft), conversation.State.from_json(stored))


def _next_view(services: Services, actor: Actor, state: DraftState, remembered: conversation.State) -> GuidedView:
    """What to ask next of a draft just read or saved, with what the flow remembers of it (read
    with the draft, so neither is read again)."""
    all_items = guided.items(state.business, state.sections, state.attachment_counts)
    item = guided.next_item(all_items)
    offered = _row_or_offer(state, item, remembered)
    if offered is not None and offered.kind == "more_rows":
        return _more_rows_view(state, offered, all_items)
    if offered is not None and offered.target is not None:
        target = offered.target
        item = guided.Item(target.section, target.path, target.field, target.table, target.row)
    needs_people = item is not None and item.field is not None and item.field.type is FieldType.PERSON
    view = _view(state, item, all_items, _choices(services, actor) if needs_people else [])
    if offered is not None and offered.kind == "optional" and view.step is not None:
        step = replace(view.step, prompt=f"{view.step.prompt}{msg.GUIDED_SKIPPABLE}", hint=msg.GUIDED_SKIP_HINT)
        view = replace(view, step=step)
    return view


def _row_or_offer(
    state: DraftState, upcoming: guided.Item | None, remembered: conversation.State
) -> conversation.Question | None:
    """Before leaving a section: the row the user opened, "还有其他资质吗？", each optional field once.

    The same questions, in the same order, as the conversation asks (domain.conversation.offer).
    """
    ctx = conversation.Context(enterprise_type=state.enterprise_type)
    for table_path, row in remembered.adding.items():
        section_key, _, table_key = table_path.partition(".")
        section = state.business.section(section_key)
        table = section.field(table_key) if section else None
        if section is None or table is None:
            continue
        rows = (state.sections.get(section.key) or {}).get(table.key) or []
        current = rows[row] if row < len(rows) else {}
        column = next((c for c in table.columns if c.required and is_blank(current.get(c.key))), None)
        if column is not None:
            return conversation.Question("field", "", conversation.Target(section, column, table, row))
    for section in state.business.sections:
        if upcoming is not None and section.key == upcoming.section.key:
            return None
        if (offered := conversation.offer(section, state.sections, remembered, ctx)) is not None:
            return offered
    return None


def _more_rows_view(state: DraftState, asked: conversation.Question, all_items: list[guided.Item]) -> GuidedView:
    section_key, _, table_key = asked.table_path.partition(".")
    section = state.business.section(section_key)
    assert section is not None
    table = section.field(table_key)
    assert table is not None
    rows = (state.sections.get(section.key) or {}).get(table.key) or []
    step = Step(
        path=asked.table_path,
        section=section.key,
        section_label=section.label,
        label=table.label,
        prompt=asked.text,
        done=False,
        current=len(rows),
        type="yes_no",
        required=False,
        options=[OptionChoice(1, "yes", "有"), OptionChoice(2, "no", "没有了")],
    )
    return GuidedView(
        filing_id=state.filing_id,
        enterprise_id=state.enterprise_id,
        etag=state.etag,
        status="ask",
        status_label=GUIDED_STATUS_LABELS["ask"],
        progress=guided.progress(all_items),
        step=step,
    )


def _answer_remembered(
    services: Services,
    actor: Actor,
    state: DraftState,
    remembered: conversation.State,
    path: str,
    value: Any,
) -> GuidedView | None:
    """Answers the flow itself keeps: "还有其他资质吗？" (a table's path) and skipping an optional field."""
    section_key, _, key = path.partition(".")
    section = state.business.section(section_key)
    fld = section.field(key) if section else None
    if section is None or fld is None:
        return None
    is_table = fld.type is FieldType.TABLE and not fld.read_only
    skips = not fld.required and isinstance(value, str) and value.strip() in conversation.SKIP_WORDS
    if not (is_table or skips):
        return None
    if is_table:
        try:
            more = guided.parse_yes_no(str(value))
        except InvalidValue as exc:
            raise ValidationFailed.on("value", exc.message) from None
        rows = (state.sections.get(section.key) or {}).get(fld.key) or []
        if more:
            remembered.adding[path] = len(rows)
            if path in remembered.closed_tables:
                remembered.closed_tables.remove(path)
        elif path not in remembered.closed_tables:
            remembered.closed_tables.append(path)
    elif path not in remembered.offered:
        remembered.offered.append(path)
    with services.uow() as uow:
        remember_in(uow, state.filing_id, remembered, services.now())
        uow.commit()
    return _next_view(services, actor, state, remembered)


def back(services: Services, actor: Actor, filing_id: int, from_path: str | None) -> GuidedView:
    state = draft_state(services, actor, filing_id)
    all_items = guided.items(state.business, state.sections, state.attachment_counts)
    try:
        item = guided.previous_item(all_items, from_path)
    except InvalidValue as exc:
        raise ValidationFailed.on("from", exc.message) from None
    item = item or (all_items[0] if all_items else None)
    view = _view(state, item, all_items, _choices(services, actor))
    if item is not None:
        status = "review" if item.done else "ask"
        view = replace(view, status=status, status_label=GUIDED_STATUS_LABELS[status])
    return view


def answer(services: Services, actor: Actor, filing_id: int, path: str, value: Any, if_match: str | None) -> GuidedView:
    """Understand, validate and save one answer; a wrong one is refused with the same question.

    The filing and what the flow remembers are read once (one statement), the answer is saved on
    the filing read (one conditional write), and the next question is asked of the saved draft."""
    with services.draft_editor() as editor:
        draft, stored = editor.draft_with_remembered(actor.enterprise_id, filing_id)
        state, remembered = draft_state_of(services, draft), conversation.State.from_json(stored)
        require_draft(state.status)
        if (kept := _answer_remembered(services, actor, state, remembered, path, value)) is not None:
            return kept
        saved, recorded, choices = _save_answer(services, editor, actor, draft, state, path, value, if_match)
    view = _next_view(services, actor, saved, remembered)
    return replace(view, recorded=recorded_text(recorded, saved, choices))


def _save_answer(
    services: Services,
    editor: DraftEditor,
    actor: Actor,
    draft: StoredDraft,
    state: DraftState,
    path: str,
    value: Any,
    if_match: str | None,
) -> tuple[DraftState, guided.Item, list[guided.Choice]]:
    """The answer understood, judged and saved: the saved draft, the item answered and the persons offered."""
    try:
        item = guided.resolve(state.business, state.sections, state.attachment_counts, path)
    except InvalidValue as exc:
        raise ValidationFailed.on("field", exc.message) from None
    fld = item.field
    if fld is None:
        raise ValidationFailed.on("field", msg.GUIDED_ANSWER_NOT_A_FIELD.format(label=item.label))
    choices = _choices(services, actor) if fld.type is FieldType.PERSON else []

    def refuse(reason: str, **extra: Any) -> ValidationFailed:
        # The same question again, with the progress: built only for a refusal, of the draft as read.
        all_items = guided.items(state.business, state.sections, state.attachment_counts)
        example = guided.example_for(fld, state.enterprise_type)
        detail = msg.GUIDED_REPROMPT.format(reason=reason.rstrip("。"), example=example)
        return ValidationFailed(
            detail,
            errors={"value": reason},
            step=as_json(_step(item, state, choices)),
            progress=as_json(guided.progress(all_items)),
            **extra,
        )

    try:
        understood = guided.understand(fld, value, choices)
    except guided.AmbiguousAnswer as exc:
        options = [as_json(PersonChoice(c.id, c.name, c.hint)) for c in exc.choices]
        raise refuse(exc.message, choices=options) from None
    except InvalidValue as exc:
        raise refuse(exc.message) from None
    if reason := _refusal_at_question(services, item, understood):
        raise refuse(reason)
    section_values = state.sections.get(item.section.key) or {}
    if item.table is not None and item.row is not None:
        rows = [dict(row) for row in section_values.get(item.table.key) or []]
        rows.extend({} for _ in range(item.row + 1 - len(rows)))
        rows[item.row][fld.key] = understood
        payload: dict[str, Any] = {item.table.key: rows}
        error_path = f"{item.table.key}[{item.row}].{fld.key}"
    else:
        payload = {fld.key: understood}
        error_path = fld.key
    try:
        saved = save_answer(services, editor, actor, draft, state.business, item.section.key, payload, if_match)
    except ValidationFailed as exc:
        reason = exc.errors.get(error_path) or next(iter(exc.errors.values()), exc.message)
        raise refuse(str(reason).split("：", 1)[-1]) from None
    return saved, item, choices


def _refusal_at_question(services: Services, item: guided.Item, understood: Any) -> str | None:
    """Rules one answer can fail on its own (an expired date) refuse it here, not only at submit."""
    assert item.field is not None
    try:
        value = clean_scalar(item.field, understood)
    except InvalidValue:
        return None  # the section save gives the reason, with the field's label
    return guided.refusal_at_question(item.field, value, services.today())


def recorded_text(item: guided.Item, state: DraftState, choices: list[guided.Choice]) -> str:
    """ "已记录：注册资本 5,000 万元": the value as stored, in the field's unit, so a misreading shows at once."""
    stored = _current(item, state, choices)
    assert item.field is not None
    if isinstance(stored, dict):  # a person: {"id", "name"}
        return msg.VALUE_RECORDED.format(label=item.label, value=stored.get("name", stored["id"]))
    value = guided.said_back(item.field, stored) if stored is not None else ""
    return msg.VALUE_RECORDED.format(label=item.label, value=value)
