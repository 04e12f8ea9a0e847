"""Filing by conversation: ``POST …/filings/{id}/messages {"text"}`` — free sentences in, the next question out.

The sentence is read by ``domain.conversation`` against the draft; every value it recognises is
saved through ``filings.save_section`` (the same validators and ETag as the web form), and the
submission through ``filings.submit_filing``. Only what the conversation itself must remember
between messages (rows being added, optional fields offered, the summary accepted) is kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.models import FilingConversation
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain import conversation, guided
from entryfiling.domain.errors import PreconditionFailed, ValidationFailed
from entryfiling.domain.fields import FieldType, prefilled_paths
from entryfiling.domain.filing import require_draft
from handlers import filings, persons
from handlers.filings.letter_photos import SIGNED_LETTER_KIND
from handlers.filings.opening import login_facts
from handlers.services import Actor, Services

MAX_PERSON_CHOICES = 100


@dataclass(frozen=True)
class Reply:
    """What the conversation says back: what it recorded, refused and missed, and the next question."""

    filing_id: int
    etag: str
    status: str  # the question's kind, or "submitted"
    reply: str
    question: dict[str, Any]
    progress: guided.Progress
    recorded: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
    decision: dict[str, Any] | None = None


def _persons(services: Services, actor: Actor) -> list[guided.Choice]:
    page = persons.selectable_persons(services, actor, None, 1, MAX_PERSON_CHOICES)
    return [guided.Choice(p["id"], p["name"], p["id_number"]) for p in page["items"]]


def _load(services: Services, actor: Actor, filing_id: int) -> tuple[conversation.State, str, list[str]]:
    """The remembered state, the enterprise type, and the values prefilled at opening (to be confirmed)."""
    with services.uow() as uow:
        filing = filings.load_filing(uow, actor, filing_id)
        row = uow.session.get(FilingConversation, filing.id)
        business = filings.business_of(filing)
        prefilled = prefilled_paths(business.sections, filing.sections, login_facts(actor))
        return conversation.State.from_json(row.state if row else None), filing.enterprise_type, prefilled


def remember(services: Services, filing_id: int, state: conversation.State) -> None:
    with services.uow() as uow:
        remember_in(uow, filing_id, state, services.now())
        uow.commit()


def remember_in(uow: UnitOfWork, filing_id: int, state: conversation.State, now: datetime) -> None:
    """Keep the state in the caller's transaction (committed with the answer that changed it)."""
    row = uow.session.get(FilingConversation, filing_id)
    if row is None:
        row = FilingConversation(filing_id=filing_id, state={}, updated_at=now)
        uow.session.add(row)
    row.state = state.to_json()
    row.updated_at = now


def _context(services: Services, actor: Actor, enterprise_type: str, prefilled: list[str]) -> conversation.Context:
    return conversation.Context(_persons(services, actor), services.today(), enterprise_type, tuple(prefilled))


def current_question(services: Services, actor: Actor, filing_id: int) -> Reply:
    """Where the conversation stands: the question to ask now (a chat view opens with it)."""
    state, enterprise_type, prefilled = _load(services, actor, filing_id)
    draft = filings.draft_state(services, actor, filing_id)
    ctx = _context(services, actor, enterprise_type, prefilled)
    question = conversation.next_question(draft.business, draft.sections, draft.attachment_counts, state, ctx)
    return _reply(draft, question, [question.text])


def post_message(services: Services, actor: Actor, filing_id: int, text: str, if_match: str | None = None) -> Reply:
    """Understand one message, save what it says, and ask the next missing item."""
    state, enterprise_type, prefilled = _load(services, actor, filing_id)
    draft = filings.draft_state(services, actor, filing_id)
    require_draft(draft.status)
    if if_match is not None and if_match != draft.etag:
        raise PreconditionFailed(msg.IF_MATCH_STALE, etag=draft.etag)
    ctx = _context(services, actor, enterprise_type, prefilled)
    turn, state = conversation.converse(draft.business, draft.sections, draft.attachment_counts, state, text, ctx)
    recorded = list(turn.recorded)
    refused = list(turn.refused)
    etag = draft.etag
    for section_key, keys in turn.changed.items():
        payload = {key: turn.sections[section_key].get(key) for key in sorted(keys)}
        try:
            etag = filings.save_section(services, actor, filing_id, section_key, payload, etag).etag
        except ValidationFailed as exc:
            # The section save judged what the parser let through (a person not employed, a date range):
            # its reasons are the clerk's, and nothing of that section is kept.
            reasons = [str(reason).split("：", 1)[-1] for reason in exc.errors.values()] or [exc.message]
            lost = [r for r in recorded if r.path.startswith(f"{section_key}.")]
            recorded = [r for r in recorded if r not in lost]
            refused.extend((r.label, reasons[0]) for r in lost)
    draft = filings.draft_state(services, actor, filing_id)
    question = conversation.next_question(draft.business, draft.sections, draft.attachment_counts, state, ctx)
    remember(services, filing_id, state)
    decision = None
    lines = _turn_lines(recorded, refused, turn.unknown)
    if turn.submit:
        decision, said = _submit(services, actor, filing_id, question)
        lines.append(said)
        if decision is not None:
            draft = filings.draft_state(services, actor, filing_id)
    if decision is None:
        lines.append(question.text)
    reply = _reply(draft, question, lines, decision)
    return Reply(
        **{
            **reply.__dict__,
            "recorded": [
                {"path": r.path, "label": r.label, "value": r.said, "corrected": r.corrected} for r in recorded
            ],
            "refused": [{"label": label, "reason": reason} for label, reason in refused],
            "not_understood": list(turn.unknown),
        }
    )


def _turn_lines(recorded: list[conversation.Recorded], refused: list[tuple[str, str]], unknown: list[str]) -> list[str]:
    lines = []
    new = [f"{r.label} {r.said}" for r in recorded if not r.corrected]
    fixed = [f"{r.label} {r.said}" for r in recorded if r.corrected]
    if new:
        lines.append(msg.CONVERSATION_RECORDED.format(items="；".join(new)))
    if fixed:
        lines.append(msg.CONVERSATION_CORRECTED.format(items="；".join(fixed)))
    lines.extend(msg.CONVERSATION_REFUSED.format(label=label, reason=reason.rstrip("。")) for label, reason in refused)
    if unknown:
        lines.append(msg.CONVERSATION_UNKNOWN.format(fragments="”“".join(unknown)))
    return lines


def _submit(
    services: Services, actor: Actor, filing_id: int, question: conversation.Question
) -> tuple[dict[str, Any] | None, str]:
    """ "同意承诺并提交": the clerk agrees to the letter and submits the signed one uploaded last."""
    if question.kind != "ready":
        return None, msg.CONVERSATION_SUBMIT_NOT_READY.format(question=question.text)
    with services.uow() as uow:
        filing = filings.load_filing(uow, actor, filing_id)
        letters = [a.id for a in filing.attachments if a.kind == SIGNED_LETTER_KIND]
    if not letters:
        return None, msg.CONVERSATION_SUBMIT_NEEDS_LETTER
    view = filings.submit_filing(services, actor, filing_id, agreed=True, signed_letter_id=letters[-1]).filing
    decision = {"status": view.status, "status_label": view.status_label, "reasons": list(view.reasons)}
    return decision, msg.CONVERSATION_SUBMITTED.format(status=view.status_label)


def _reply(
    draft: filings.DraftState,
    question: conversation.Question,
    lines: list[str],
    decision: dict[str, Any] | None = None,
) -> Reply:
    asked: dict[str, Any] = {
        "kind": question.kind,
        "text": question.text,
        "quick_replies": list(question.quick_replies),
    }
    if question.target is not None:
        fld = question.target.field
        asked |= {"path": question.target.path, "label": question.target.label, "type": fld.type.value}
        if fld.unit:
            asked["unit"] = fld.unit
        if fld.type is FieldType.ENUM:
            asked["options"] = [{"value": o.value, "label": o.label} for o in fld.options]
    if question.attachment:
        asked["attachment"] = question.attachment
    items = guided.items(draft.business, draft.sections, draft.attachment_counts)
    return Reply(
        filing_id=draft.filing_id,
        etag=draft.etag,
        status="submitted" if decision is not None else question.kind,
        reply="\n".join(lines),
        question=asked,
        progress=guided.progress(items),
        decision=decision,
    )
