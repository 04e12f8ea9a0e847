"""A job on a worker and a row's cancellation change what the kept filing answers show: the next
read shows it (the database moved the enterprise's data version; see entryfiling/http/answer_cache.py)."""

from __future__ import annotations

from tests.api.flows import complete_first_filing, current_etag, sign_and_submit
from tests.api.test_answer_cache import read_both, row_of, version_of
from tests.jobs.helpers import demo_enterprise
from tests.jobs.test_registry_businesses import open_filing, section, sync_filing


def test_a_registry_sync_job_and_a_row_cancellation_are_seen_by_the_next_read(
    login_enterprise, make_person, redis_conn, registry, services
):
    enterprise = demo_enterprise(login_enterprise)
    person = make_person(employed_by=enterprise.id)
    first = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, first["id"]).json["status"] == "approved"
    registry.state.reset()
    filing = open_filing(enterprise, "qualification_change")
    fid = filing["id"]
    detail, _records = read_both(enterprise, fid)
    assert len(section(detail, "qualifications")["values"]["qualifications"]) == 2

    before = version_of(services, enterprise.id)
    sync_filing(enterprise, redis_conn, fid)  # the RQ worker writes the rows
    assert version_of(services, enterprise.id) > before
    detail, records = read_both(enterprise, fid)
    assert len(section(detail, "qualifications")["values"]["qualifications"]) == 7
    assert row_of(records, fid)["version"] == detail["version"]

    cancel_url = f"/api/v1/filings/{fid}/sections/qualifications/tables/qualifications/rows/1/cancel"
    cancelled = enterprise.post(cancel_url, headers={"If-Match": current_etag(enterprise, fid)})
    assert cancelled.status_code == 200, cancelled.json
    detail, _records = read_both(enterprise, fid)
    values = section(detail, "qualifications")["values"]
    assert len(values["qualifications"]) == 6 and len(values["cancelled_qualifications"]) == 1
