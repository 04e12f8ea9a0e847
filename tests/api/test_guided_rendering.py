"""The hand-written guided answer equals ``GuidedStepSchema().dump`` (``entryfiling/http/filings/guided_rendering.py``).

Every API and mini-program test compares the two on what it renders (``tests/guided_rendering_check.py``);
these tests make sure that comparison is active, that the renderer knows every field the schemas
declare, and vary the views (every optional part present or absent, any current value) beyond what
the flows produce, on both APIs' routes (their links differ).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entryfiling.domain.guided import Progress, SectionProgress
from entryfiling.http.filings import guided_rendering
from entryfiling.http.filings.schemas import (
    AttachmentAskSchema,
    GuidedStepSchema,
    OptionChoiceSchema,
    PersonChoiceSchema,
    StepSchema,
    SubmissionSchema,
)
from handlers.guided_views import AttachmentAsk, GuidedView, OptionChoice, PersonChoice, Step, Submission
from tests.api.flows import open_first_filing

text = st.text(max_size=12)
maybe_text = st.none() | text
count = st.integers(0, 10**6)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
steps = st.builds(
    Step,
    path=text,
    section=text,
    section_label=text,
    label=text,
    prompt=text,
    done=st.booleans(),
    current=json_value,
    type=text,
    required=st.none() | st.booleans(),
    example=maybe_text,
    options=st.none() | st.lists(st.builds(OptionChoice, count, text, text), max_size=3),
    persons=st.none() | st.lists(st.builds(PersonChoice, count, text, text), max_size=3),
    unit=maybe_text,
    max_length=st.none() | count,
    attachment=st.none() | st.builds(AttachmentAsk, text, text, st.lists(text, max_size=3), text, count, count, count),
    hint=maybe_text,
)
progress = st.builds(Progress, count, count, st.lists(st.builds(SectionProgress, text, text, count, count), max_size=4))


def test_the_renderer_knows_every_field_the_schemas_declare():
    # Field names the renderer writes, by schema (a new schema field without a renderer line fails here).
    ask = AttachmentAsk("k", "K", ["application/pdf"], "PDF", 1, 1, 1)
    options, persons = [OptionChoice(1, "v", "V")], [PersonChoice(1, "n", "i")]
    step = Step("p", "s", "S", "l", "q", False, None, "text", True, "e", options, persons, "u", 3, ask, "h")
    body = guided_rendering._step(step)
    assert set(body) == set(StepSchema().fields)
    assert set(body["options"][0]) == set(OptionChoiceSchema().fields)
    assert set(body["persons"][0]) == set(PersonChoiceSchema().fields)
    assert set(body["attachment"]) == set(AttachmentAskSchema().fields)
    assert set(guided_rendering._progress(Progress(1, 2, []))) == {"done", "total", "sections"}
    assert set(SubmissionSchema().fields) == {"letter_url", "signed_letter_kind", "agreement", "submit_url"}
    assert set(GuidedStepSchema().fields) == {
        "filing_id", "etag", "status", "status_label", "step", "progress", "message", "submission", "recorded"
    }  # fmt: skip


def test_every_guided_answer_is_compared_with_the_schema(enterprise, guided_rendering_matches_the_schema):
    fid = open_first_filing(enterprise)["id"]
    step = enterprise.get(f"/api/v1/filings/{fid}/next")
    answered = enterprise.post(
        f"/api/v1/filings/{fid}/answers",
        json={"field": "basic_info.registered_capital", "value": "1.2亿"},
        headers={"If-Match": step.headers["ETag"]},
    )
    assert step.status_code == 200 and answered.status_code == 200, answered.json
    assert guided_rendering_matches_the_schema == ["guided_body", "guided_body"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    step=st.none() | steps,
    progress=progress,
    message=maybe_text,
    submission=st.none() | st.builds(Submission, count, count, text, text),
    recorded=maybe_text,
    status=st.sampled_from(["ask", "review", "ready"]),
)
def test_varied_views_render_as_the_schema_dumps_them(
    app, enterprise, step, progress, message, submission, recorded, status
):
    view = GuidedView(7, enterprise.id, '"7-3"', status, "标签", progress, step, message, submission, recorded)
    for path in ("/api/v1/filings/7/answers", "/miniapp/v1/filings/7/answers"):
        with app.test_request_context(path, method="POST"):
            assert guided_rendering.guided_body(view) == GuidedStepSchema().dump(view)
