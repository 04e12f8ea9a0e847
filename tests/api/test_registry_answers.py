"""Approval with the registry's answers reused (REGISTRY_CACHE_SECONDS on, as in production): the
cross-check still compares, an outage still sends the filing to a person and is not kept, and the
audit trail says when the registry gave the answers that were checked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from entryfiling.db.models import AuditEvent
from tests.api.flows import complete_first_filing, sign_and_submit


@pytest.fixture
def settings(settings):
    return settings.with_overrides(registry_cache_seconds=300)


def submitted_details(services, filing_id: int) -> dict:
    with services.uow() as uow:
        return uow.session.scalar(
            select(AuditEvent.details).where(
                AuditEvent.action == "filing_submitted", AuditEvent.target == f"filing:{filing_id}"
            )
        )


def test_an_approval_records_when_the_registry_answered(enterprise, make_person, registry, services):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    asked = registry.requests_seen("qualifications")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    assert registry.requests_seen("qualifications") == asked + 1
    assert submitted_details(services, filing["id"])["registry_answered_at"].startswith("20")


def test_an_outage_is_not_kept_the_regulator_re_check_asks_again(enterprise, make_person, registry, client, services):
    from tests.api.test_registry_cross_check import regulator_headers, result_of

    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    registry.set_fault("error", status=503)
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "manual_review"
    assert result_of(decided, "registry_qualifications_match")["outcome"] == "not_checked"
    assert "registry_answered_at" not in submitted_details(services, filing["id"])

    registry.clear_fault()
    shown = client.get(f"/api/v1/review/filings/{filing['id']}", headers=regulator_headers(client, services))
    assert result_of(shown.json, "registry_qualifications_match")["outcome"] == "passed"
    assert result_of(shown.json, "registry_certificates_match")["outcome"] == "passed"
