"""What a business allows and what its approval does to the filed record: pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from entryfiling.domain.approval import FiledState, apply_approval
from entryfiling.domain.businesses import (
    BASIC_INFO_CHANGE,
    COST_CONSULTING_PROJECT,
    FIRST_FILING,
    PUBLICITY_EXTENSION,
    EnterpriseType,
)
from entryfiling.domain.errors import NotApplicable, ValidationFailed
from entryfiling.domain.fields import RecordMode
from entryfiling.domain.policies import check_applicable, check_section_savable, resolve_enterprise_type

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
EMPTY = FiledState(record={}, publicity_until=None, filed_at=None, enterprise_type=None)


def approve(business, state, sections, enterprise_type="construction"):
    return apply_approval(
        business,
        state,
        sections,
        enterprise_type=enterprise_type,
        reference="JJ20260302000001",
        today=TODAY,
        now=NOW,
        validity_days=365,
    )


def test_the_registered_type_wins_and_a_first_filing_must_name_one():
    assert resolve_enterprise_type("supervision", None) is EnterpriseType.SUPERVISION
    assert resolve_enterprise_type(None, "design") is EnterpriseType.DESIGN
    with pytest.raises(NotApplicable):
        resolve_enterprise_type("supervision", "construction")
    with pytest.raises(ValidationFailed):
        resolve_enterprise_type(None, None)
    with pytest.raises(ValidationFailed):
        resolve_enterprise_type(None, "bakery")


def test_businesses_apply_to_their_declared_types_and_filed_state():
    check_applicable(FIRST_FILING, EnterpriseType.CONSTRUCTION, filed=False)
    with pytest.raises(NotApplicable, match="造价"):
        check_applicable(FIRST_FILING, EnterpriseType.COST_CONSULTING, filed=False)
    with pytest.raises(NotApplicable):
        check_applicable(BASIC_INFO_CHANGE, EnterpriseType.CONSTRUCTION, filed=False)
    check_applicable(BASIC_INFO_CHANGE, EnterpriseType.CONSTRUCTION, filed=True)
    with pytest.raises(NotApplicable):
        check_applicable(COST_CONSULTING_PROJECT, EnterpriseType.CONSTRUCTION, filed=True)


def test_the_office_section_needs_the_premises_proof_before_it_is_saved():
    office = next(s for s in PUBLICITY_EXTENSION.sections if s.save_requires)
    with pytest.raises(ValidationFailed) as refused:
        check_section_savable(PUBLICITY_EXTENSION, office, {})
    assert office.save_requires[0] in refused.value.errors
    check_section_savable(PUBLICITY_EXTENSION, office, {office.save_requires[0]: 1})


def test_first_filing_approval_files_the_sections_and_starts_publicity():
    after = approve(FIRST_FILING, EMPTY, {"basic_info": {"contact_name": "赵报送"}, "not_a_section": {}})
    assert after.record == {"basic_info": {"contact_name": "赵报送"}}
    assert after.filed_at == NOW and after.publicity_until == date(2027, 3, 2)
    assert after.enterprise_type == "construction"


def test_extension_runs_from_the_current_end_and_never_shortens_it():
    running = FiledState({}, date(2026, 5, 1), NOW, "construction")
    assert approve(PUBLICITY_EXTENSION, running, {}).publicity_until == date(2027, 5, 1)
    lapsed = FiledState({}, date(2025, 1, 1), NOW, "construction")
    assert approve(PUBLICITY_EXTENSION, lapsed, {}).publicity_until == date(2027, 3, 2)


def test_cost_consulting_projects_are_appended_with_their_reference():
    project_section = next(s for s in COST_CONSULTING_PROJECT.sections if s.record_mode is RecordMode.APPEND)
    state = FiledState({project_section.record_key: [{"project_name": "甲"}]}, None, None, None)
    after = approve(COST_CONSULTING_PROJECT, state, {project_section.key: {"project_name": "乙"}}, "cost_consulting")
    projects = after.record[project_section.record_key]
    assert [p["project_name"] for p in projects] == ["甲", "乙"]
    assert projects[1]["filing_reference"] == "JJ20260302000001" and projects[1]["approved_on"] == "2026-03-02"
    assert state.record[project_section.record_key] == [{"project_name": "甲"}]  # the input is left as it was
