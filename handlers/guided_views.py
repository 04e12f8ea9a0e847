"""What the step-by-step flow shows: typed read models of a question, its choices and the way to
submit, shared by the guided and the conversational use cases (the HTTP layer links them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from entryfiling.domain import guided

GUIDED_STATUS_LABELS = {"ask": "请回答下一项", "review": "请确认已填内容", "ready": "已填写完整，可以提交"}


@dataclass(frozen=True)
class OptionChoice:
    number: int
    value: str
    label: str


@dataclass(frozen=True)
class PersonChoice:
    id: int
    name: str
    id_number: str  # masked


@dataclass(frozen=True)
class AttachmentAsk:
    kind: str
    label: str
    content_types: list[str]
    formats: str
    max_bytes: int
    min_count: int
    max_count: int


@dataclass(frozen=True)
class Step:
    """One item to answer (a field) or to upload (an attachment kind)."""

    path: str
    section: str
    section_label: str
    label: str
    prompt: str
    done: bool
    # What is filled in now: a value as declared, {id, name} for a person, a count for uploads.
    current: Any
    type: str
    required: bool | None = None
    example: str | None = None
    options: list[OptionChoice] | None = None
    persons: list[PersonChoice] | None = None
    unit: str | None = None
    max_length: int | None = None
    attachment: AttachmentAsk | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Submission:
    """What is left once every item is answered: agree, sign the letter, submit."""

    filing_id: int
    enterprise_id: int
    signed_letter_kind: str
    agreement_text: str


@dataclass(frozen=True)
class GuidedView:
    filing_id: int
    enterprise_id: int
    etag: str
    status: str  # ask / review / ready
    status_label: str  # what the status means, for the person
    progress: guided.Progress
    step: Step | None = None
    message: str | None = None
    submission: Submission | None = None
    # After an answer: how it was recorded ("已记录：注册资本 5,000 万元").
    recorded: str | None = None


def as_json(value: Any) -> Any:
    """A read model as JSON for an error's details (no URLs in it, absent parts left out)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return as_json(asdict(value))
    return value
