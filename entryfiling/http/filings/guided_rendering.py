"""The step-by-step answer (next, answer, back) rendered by hand, as ``GuidedStepSchema().dump``
writes it.

A guided answer is one of the hottest writes, and marshmallow's dump of its nested step, choices
and progress walked every value through the generic field machinery (≈ 0.7 ms of a request in the
profile). The schemas stay the documentation (the routes keep ``@blp.response(GuidedStepSchema)``,
so the OpenAPI document is unchanged); ``tests/guided_rendering_check.py`` compares this body with
the schema's dump on every guided answer of the API and mini-program tests, and
``tests/api/test_guided_rendering.py`` over generated views.
"""

from __future__ import annotations

from typing import Any

from entryfiling.domain.guided import Progress
from entryfiling.http.links import url_of
from handlers.guided_views import AttachmentAsk, GuidedView, Step, Submission


def _progress(progress: Progress) -> dict[str, Any]:
    return {
        "done": progress.done,
        "total": progress.total,
        "sections": [
            {"section": s.section, "label": s.label, "done": s.done, "total": s.total} for s in progress.sections
        ],
    }


def _attachment(ask: AttachmentAsk) -> dict[str, Any]:
    return {
        "kind": ask.kind,
        "label": ask.label,
        "content_types": list(ask.content_types),
        "formats": ask.formats,
        "max_bytes": ask.max_bytes,
        "min_count": ask.min_count,
        "max_count": ask.max_count,
    }


def _step(step: Step) -> dict[str, Any]:
    body: dict[str, Any] = {
        "path": step.path,
        "section": step.section,
        "section_label": step.section_label,
        "label": step.label,
        "prompt": step.prompt,
        "done": step.done,
        "type": step.type,
        "required": step.required,
        "example": step.example,
        "options": None
        if step.options is None
        else [{"number": o.number, "value": o.value, "label": o.label} for o in step.options],
        "persons": None
        if step.persons is None
        else [{"id": p.id, "name": p.name, "id_number": p.id_number} for p in step.persons],
        "unit": step.unit,
        "max_length": step.max_length,
        "attachment": None if step.attachment is None else _attachment(step.attachment),
        "hint": step.hint,
    }
    # StepSchema leaves out what does not apply, except the current value (null: not filled in).
    shown = {key: value for key, value in body.items() if value is not None}
    shown["current"] = step.current
    return shown


def _submission(submission: Submission) -> dict[str, Any]:
    return {
        "letter_url": url_of("commitment_letter", submission),
        "signed_letter_kind": submission.signed_letter_kind,
        "agreement": {"type": "confirmation", "text": submission.agreement_text},
        "submit_url": url_of("submit", submission),
    }


def guided_body(view: GuidedView) -> dict[str, Any]:
    """As ``GuidedStepSchema().dump(view)``."""
    body: dict[str, Any] = {
        "filing_id": view.filing_id,
        "etag": view.etag,
        "status": view.status,
        "status_label": view.status_label,
        "progress": _progress(view.progress),
    }
    if view.step is not None:
        body["step"] = _step(view.step)
    if view.message is not None:
        body["message"] = view.message
    if view.submission is not None:
        body["submission"] = _submission(view.submission)
    if view.recorded is not None:
        body["recorded"] = view.recorded
    return body
