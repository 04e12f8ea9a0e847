"""Save part or all of one section of a draft, validated field by field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.drafts import DraftEditor, StoredDraft
from entryfiling.db.repositories import StoredFiling
from entryfiling.db.uow import audit_row
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import ValidationFailed
from entryfiling.domain.fields import (
    Section,
    attachment_refs,
    clean_section_values,
    date_range_errors,
    map_sensitive,
    merge_section_values,
    person_ids,
)
from entryfiling.domain.filing import require_draft
from entryfiling.domain.policies import check_section_savable
from entryfiling.domain.rules import person_refusal
from handlers.filings.common import attachment_counts, business_of, changed_meanwhile, check_if_match, get_section
from handlers.filings.queries import DraftState, draft_state_of
from handlers.filings.views import FilingView, filing_view
from handlers.persons import person_facts
from handlers.services import Actor, Services


def save_section(
    services: Services,
    actor: Actor,
    filing_id: int,
    section_key: str,
    values: Mapping[str, Any],
    if_match: str | None,
) -> FilingView:
    """Save part or all of one section; given keys are validated, ``null`` clears a field.

    The filing is read as the detail reads it (one Core statement on PostgreSQL, two on SQLite),
    saved by one conditional UPDATE and answered from what was read and written: no ORM load, lazy
    load or second read."""
    with services.draft_editor() as editor:
        stored = editor.stored(actor.enterprise_id, filing_id)
        business = business_of(stored)
        check_if_match(stored, if_match)
        require_draft(stored.status)
        saved = _save_draft(services, editor, actor, stored, business, section_key, values)
        shown = stored.saved(saved.sections, saved.version, saved.at)
        return filing_view(services, editor.connection, shown, opened=saved.opened)


def save_answer(
    services: Services,
    editor: DraftEditor,
    actor: Actor,
    draft: StoredDraft,
    business: Business,
    section_key: str,
    values: Mapping[str, Any],
    if_match: str | None,
) -> DraftState:
    """``save_section`` for the step-by-step flows, on the draft they read with their own editor
    (an answer reads the filing once): the saved draft as rules see it, not its view (they ask
    what is next from it)."""
    check_if_match(draft, if_match)
    saved = _save_draft(services, editor, actor, draft, business, section_key, values)
    return draft_state_of(services, replace(draft, sections=saved.sections, version=saved.version), opened=saved.opened)


@dataclass(frozen=True)
class _Saved:
    """What a save wrote: every section as stored (ID numbers sealed), the new version, when."""

    sections: dict[str, Any]
    version: int
    at: datetime
    # The ID numbers this save sealed, by their token: what answers with the draft shows or checks of
    # them is known without opening the tokens again.
    opened: dict[str, str]


def _save_draft(
    services: Services,
    editor: DraftEditor,
    actor: Actor,
    filing: StoredFiling | StoredDraft,
    business: Business,
    section_key: str,
    values: Mapping[str, Any],
) -> _Saved:
    """Validate one section and write it with its audit row (at once: see ``DraftEditor``)."""
    now = services.now()
    section = get_section(business, section_key)
    check_section_savable(business, section, attachment_counts(filing))
    cleaned = clean_section_values(section, values)
    chosen = person_ids(section, cleaned.values)
    facts = person_facts(editor.session(), [pid for _p, _f, pid in chosen]) if chosen else {}
    for path, fld, person_id in chosen:
        refusal = person_refusal(facts.get(person_id), filing.enterprise_id, fld.person_must_be_employed)
        if refusal:
            cleaned.errors[path] = f"{fld.label}：{refusal}"
    # The section as stored: the fields not sent are kept as they are, their ID numbers sealed (nothing
    # below reads an ID number of them: attachment references and date ranges are no ID numbers), so
    # only the values sent are sealed, none is opened.
    current = filing.sections.get(section.key) or {}
    _check_attachment_refs(business, section, filing, current, cleaned.values, cleaned.errors)
    if cleaned.errors:
        raise ValidationFailed(
            msg.SECTION_INVALID.format(section=section.label, count=len(cleaned.errors)), errors=cleaned.errors
        )
    merged = merge_section_values(current, cleaned.values)
    if range_errors := date_range_errors(section, merged):
        raise ValidationFailed(
            msg.SECTION_INVALID.format(section=section.label, count=len(range_errors)), errors=range_errors
        )
    opened: dict[str, str] = {}

    def seal(value: str) -> str:
        opened[token := services.cipher.encrypt(value)] = value
        return token

    sealed = merge_section_values(current, map_sensitive(section, cleaned.values, seal))
    sections = {**filing.sections, section.key: sealed}
    audit = audit_row(
        actor, "section_saved", f"filing:{filing.id}", now, {"section": section.key, "fields": sorted(cleaned.values)}
    )
    version = editor.save_sections(filing.enterprise_id, filing.id, filing.version, sections, now, audit)
    if version is None:  # changed since it was read: another save, an upload, a submit
        raise changed_meanwhile()
    return _Saved(sections, version, now, opened)


def _check_attachment_refs(
    business: Business,
    section: Section,
    filing: StoredFiling | StoredDraft,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
    errors: dict[str, str],
) -> None:
    """A row's scan must be an upload of this filing of the declared kind (references already on
    the draft, e.g. carried over from the filed record, stay valid)."""
    kinds = {a.id: a.kind for a in filing.attachments}
    kept = {ref for _p, _f, ref in attachment_refs(section, current)}
    for path, fld, ref in attachment_refs(section, values):
        if ref not in kept and kinds.get(ref) != fld.attachment_kind:
            kind = business.attachment_kind(fld.attachment_kind or "")
            errors[path] = f"{fld.label}：" + msg.FIELD_ATTACHMENT_NOT_IN_FILING.format(
                label=kind.label if kind else fld.attachment_kind
            )
