"""Guided filing on the phone: next item, one answer at a time, back.

Answers are saved through ``filings.save_section``, the same path and validators as the web form,
so the web and the phone edit one draft under one ETag.
"""

from __future__ import annotations

from typing import Any

from entryfiling import messages as msg
from entryfiling.domain import guided
from entryfiling.domain.commitment_letter import AGREEMENT_TEXT
from entryfiling.domain.content_types import LABELS as CONTENT_TYPE_LABELS
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.fields import FieldType, clean_scalar
from entryfiling.domain.filing import require_draft
from entryfiling.domain.validators import InvalidValue, mask_id_number
from handlers import filings, persons
from handlers.services import Actor, Services

MAX_PERSON_CHOICES = 100


def _choices(services: Services, actor: Actor) -> list[guided.Choice]:
    page = persons.selectable_persons(services, actor, None, 1, MAX_PERSON_CHOICES)
    return [guided.Choice(p["id"], p["name"], p["id_number"]) for p in page["items"]]


def _current(item: guided.Item, state: filings.DraftState, choices: list[guided.Choice]) -> Any:
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


def _step(item: guided.Item, state: filings.DraftState, choices: list[guided.Choice]) -> dict[str, Any]:
    step: dict[str, Any] = {
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
        step |= {
            "type": "attachment",
            "attachment": {
                "kind": kind.key,
                "label": kind.label,
                "content_types": list(kind.content_types),
                "formats": "、".join(CONTENT_TYPE_LABELS[t] for t in kind.content_types),
                "max_bytes": kind.max_bytes,
                "min_count": kind.min_count,
                "max_count": kind.max_count,
            },
            "hint": msg.GUIDED_ATTACHMENT_BY_UPLOAD.format(kind=kind.key),
        }
        return step
    fld = item.field
    assert fld is not None
    example = guided.example_for(fld, state.enterprise_type)
    step |= {"type": fld.type.value, "required": fld.required, "example": example}
    if fld.options:
        step["options"] = [{"number": n, "value": o.value, "label": o.label} for n, o in enumerate(fld.options, 1)]
    if fld.type is FieldType.PERSON:
        step["persons"] = [{"id": c.id, "name": c.name, "id_number": c.hint} for c in choices]
    if fld.unit:
        step["unit"] = fld.unit
    if fld.type in (FieldType.TEXT, FieldType.TEXTAREA):
        step["max_length"] = fld.max_length
    return step


def _view(
    state: filings.DraftState, item: guided.Item | None, all_items: list[guided.Item], choices: list[guided.Choice]
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "filing_id": state.filing_id,
        "etag": state.etag,
        "status": "ask" if item is not None and not item.done else ("ready" if item is None else "review"),
        "progress": guided.progress(all_items),
    }
    if item is not None:
        view["step"] = _step(item, state, choices)
    else:
        view["message"] = msg.GUIDED_READY
        view["submission"] = {
            "letter_url": f"/filings/{state.filing_id}/commitment-letter",
            "signed_letter_kind": "commitment_letter",
            "agreement": {"type": "confirmation", "text": AGREEMENT_TEXT},
            "submit_url": f"/filings/{state.filing_id}/submit",
        }
    return view


def next_step(services: Services, actor: Actor, filing_id: int) -> dict[str, Any]:
    state = filings.draft_state(services, actor, filing_id)
    all_items = guided.items(state.business, state.sections, state.attachment_counts)
    item = guided.next_item(all_items)
    needs_people = item is not None and item.field is not None and item.field.type is FieldType.PERSON
    return _view(state, item, all_items, _choices(services, actor) if needs_people else [])


def back(services: Services, actor: Actor, filing_id: int, from_path: str | None) -> dict[str, Any]:
    state = filings.draft_state(services, actor, filing_id)
    all_items = guided.items(state.business, state.sections, state.attachment_counts)
    try:
        item = guided.previous_item(all_items, from_path)
    except InvalidValue as exc:
        raise ValidationFailed.on("from", exc.message) from None
    item = item or (all_items[0] if all_items else None)
    view = _view(state, item, all_items, _choices(services, actor))
    if item is not None:
        view["status"] = "review" if item.done else "ask"
    return view


def answer(
    services: Services, actor: Actor, filing_id: int, path: str, value: Any, if_match: str | None
) -> dict[str, Any]:
    """Understand, validate and save one answer; a wrong one is refused with the same question."""
    state = filings.draft_state(services, actor, filing_id)
    require_draft(state.status)
    try:
        item = guided.resolve(state.business, state.sections, state.attachment_counts, path)
    except InvalidValue as exc:
        raise ValidationFailed.on("field", exc.message) from None
    if item.field is None:
        text = msg.GUIDED_ANSWER_NOT_A_FIELD.format(label=item.label)
        raise ValidationFailed.on("field", text)
    choices = _choices(services, actor) if item.field.type is FieldType.PERSON else []
    all_items = guided.items(state.business, state.sections, state.attachment_counts)
    step = _step(item, state, choices)

    def refuse(reason: str, **extra: Any) -> ValidationFailed:
        example = guided.example_for(item.field, state.enterprise_type)
        detail = msg.GUIDED_REPROMPT.format(reason=reason.rstrip("。"), example=example)
        return ValidationFailed(
            detail, errors={"value": reason}, step=step, progress=guided.progress(all_items), **extra
        )

    try:
        understood = guided.understand(item.field, value, choices)
    except guided.AmbiguousAnswer as exc:
        options = [{"id": c.id, "name": c.name, "id_number": c.hint} for c in exc.choices]
        raise refuse(exc.message, choices=options) from None
    except InvalidValue as exc:
        raise refuse(exc.message) from None
    if reason := _refusal_at_question(services, item, understood):
        raise refuse(reason)
    section_values = state.sections.get(item.section.key) or {}
    if item.table is not None and item.row is not None:
        rows = [dict(row) for row in section_values.get(item.table.key) or []]
        rows.extend({} for _ in range(item.row + 1 - len(rows)))
        rows[item.row][item.field.key] = understood
        payload = {item.table.key: rows}
        error_path = f"{item.table.key}[{item.row}].{item.field.key}"
    else:
        payload = {item.field.key: understood}
        error_path = item.field.key
    try:
        filings.save_section(services, actor, filing_id, item.section.key, payload, if_match)
    except ValidationFailed as exc:
        reason = exc.errors.get(error_path) or next(iter(exc.errors.values()), exc.message)
        raise refuse(str(reason).split("：", 1)[-1]) from None
    view = next_step(services, actor, filing_id)
    view["recorded"] = recorded_text(services, actor, filing_id, item, choices)
    return view


def _refusal_at_question(services: Services, item: guided.Item, understood: Any) -> str | None:
    """Rules one answer can fail on its own (an expired date) refuse it here, not only at submit."""
    assert item.field is not None
    try:
        value = clean_scalar(item.field, understood)
    except InvalidValue:
        return None  # the section save gives the reason, with the field's label
    return guided.refusal_at_question(item.field, value, services.today())


def recorded_text(
    services: Services, actor: Actor, filing_id: int, item: guided.Item, choices: list[guided.Choice]
) -> str:
    """ "已记录：注册资本 5,000 万元": the value as stored, in the field's unit, so a misreading shows at once."""
    state = filings.draft_state(services, actor, filing_id)
    stored = _current(item, state, choices)
    assert item.field is not None
    if isinstance(stored, dict):  # a person: {"id", "name"}
        return msg.VALUE_RECORDED.format(label=item.label, value=stored.get("name", stored["id"]))
    value = guided.said_back(item.field, stored) if stored is not None else ""
    return msg.VALUE_RECORDED.format(label=item.label, value=value)
