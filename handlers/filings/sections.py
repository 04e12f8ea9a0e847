"""Save part or all of one section of a draft, validated field by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.models import Filing
from entryfiling.db.uow import UnitOfWork
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
from entryfiling.domain.policies import check_section_savable
from entryfiling.domain.rules import person_refusal
from handlers.filings.common import (
    Draft,
    attachment_counts,
    check_if_match,
    commit_or_stale,
    get_section,
    load_draft,
)
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
    """Save part or all of one section; given keys are validated, ``null`` clears a field."""
    with services.uow() as uow:
        filing = _save(services, uow, actor, filing_id, section_key, values, if_match)
        return filing_view(services, uow.session, filing)


def save_answer(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    draft: Draft,
    section_key: str,
    values: Mapping[str, Any],
    if_match: str | None,
) -> DraftState:
    """``save_section`` for the step-by-step flows, on the draft they loaded in their own unit of
    work (an answer reads the filing once): the saved draft as rules see it, not its view (they ask
    what is next from it)."""
    check_if_match(draft.filing, if_match)
    return draft_state_of(services, _save_draft(services, uow, actor, draft, section_key, values))


def _save(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    filing_id: int,
    section_key: str,
    values: Mapping[str, Any],
    if_match: str | None,
) -> Filing:
    draft = load_draft(uow, actor, filing_id, if_match=if_match, etag_required=True)
    return _save_draft(services, uow, actor, draft, section_key, values)


def _save_draft(
    services: Services, uow: UnitOfWork, actor: Actor, draft: Draft, section_key: str, values: Mapping[str, Any]
) -> Filing:
    now = services.now()
    filing, business = draft.filing, draft.business
    section = get_section(business, section_key)
    check_section_savable(business, section, attachment_counts(filing))
    cleaned = clean_section_values(section, values)
    chosen = person_ids(section, cleaned.values)
    facts = person_facts(uow.session, [pid for _p, _f, pid in chosen])
    for path, fld, person_id in chosen:
        refusal = person_refusal(facts.get(person_id), filing.enterprise_id, fld.person_must_be_employed)
        if refusal:
            cleaned.errors[path] = f"{fld.label}：{refusal}"
    stored = filing.sections.get(section.key)
    current = map_sensitive(section, stored, services.cipher.decrypt) if stored is not None else {}
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
    filing.sections = {**filing.sections, section.key: map_sensitive(section, merged, services.cipher.encrypt)}
    filing.updated_at = now
    uow.audit(
        actor,
        "section_saved",
        f"filing:{filing.id}",
        now,
        {"section": section.key, "fields": sorted(cleaned.values)},
    )
    commit_or_stale(uow)
    return filing


def _check_attachment_refs(
    business: Business,
    section: Section,
    filing: Filing,
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
