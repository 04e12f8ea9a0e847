"""One open filing per business: a submit counts the enterprise's other open filings of its
business (read with the filing itself), and a second one keeps it from being approved."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from entryfiling.db.models import Filing
from tests.api.flows import complete_first_filing, sign_and_submit


def test_another_open_filing_of_the_business_keeps_the_submit_from_approval(enterprise, make_person, services):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    now = datetime.now(UTC)
    with services.uow() as uow:
        # As a race of two openings could leave it: the API itself answers a second opening with the first.
        uow.session.add(
            Filing(
                enterprise_id=enterprise.id,
                business="first_filing",
                enterprise_type="construction",
                status="draft",
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()
    response = sign_and_submit(enterprise, filing["id"])
    assert response.status_code == 200, response.json
    assert response.json["status"] != "approved"
    assert "本企业已有在办的“首次信息报送”申请，不能重复办理" in json.dumps(response.json, ensure_ascii=False)


def test_without_another_open_filing_the_submit_is_approved(enterprise, make_person):
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    response = sign_and_submit(enterprise, filing["id"])
    assert response.status_code == 200 and response.json["status"] == "approved", response.json
    assert "不能重复办理" not in json.dumps(response.json, ensure_ascii=False)
