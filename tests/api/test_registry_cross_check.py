"""Approval against the registry stand-in with its faults: evidence for regulators, and a check that could
not run at submission sends the filing to a person, who sees it re-run when opening the filing."""

from __future__ import annotations

from devkit.emulators.registry import OTHER_ENTERPRISE_NAME
from handlers import regulators
from tests.api.flows import complete_first_filing, qualifications, save, sign_and_submit

PASSWORD = "Shen-He-2026-xinjiang"


def regulator_headers(client, services) -> dict[str, str]:
    regulators.create_regulator(services, "reviewer.li", "李审核", PASSWORD)
    token = client.post("/api/v1/review/login", json={"username": "reviewer.li", "password": PASSWORD}).json
    return {"Authorization": f"Bearer {token['access_token']}"}


def result_of(decided: dict, rule: str) -> dict:
    return next(r for r in decided["rule_results"] if r["rule"] == rule)


def test_another_enterprises_qualification_is_rejected_with_the_registry_record_as_evidence(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    rows = qualifications()
    rows["qualifications"][1] |= {"name": "建筑工程施工总承包壹级", "certificate_number": "D132045678"}
    save(enterprise, filing, "qualifications", rows)
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    result = result_of(decided, "registry_qualifications_match")
    assert result["outcome"] == "failed"
    (evidence,) = [e for e in result["evidence"] if "D132045678" in e["item"]]
    assert evidence["filed"] == enterprise.uscc and OTHER_ENTERPRISE_NAME in evidence["registry"]
    assert result_of(decided, "no_junk_values")["outcome"] == "passed"


def test_registry_timeout_sends_to_manual_review_and_the_regulator_sees_the_check_re_run(
    enterprise, make_person, registry, client, services
):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    registry.set_fault("timeout", delay=5)
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "manual_review", decided["reasons"]
    result = result_of(decided, "registry_qualifications_match")
    assert result["outcome"] == "not_checked" and "暂时无法查询" in result["reasons"][0]

    registry.clear_fault()
    shown = client.get(f"/api/v1/review/filings/{filing['id']}", headers=regulator_headers(client, services))
    assert shown.status_code == 200, shown.json
    rechecked = result_of(shown.json, "registry_qualifications_match")
    assert rechecked["outcome"] == "passed" and rechecked["passed"]
    assert result_of(shown.json, "registry_certificates_match")["outcome"] == "passed"
    assert shown.json["status"] == "manual_review"  # a person still decides


def test_registry_answering_errors_is_never_a_silent_approval(enterprise, make_person, registry):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    registry.set_fault("error", status=502, target="certificates")
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "manual_review"
    assert result_of(decided, "registry_certificates_match")["outcome"] == "not_checked"
