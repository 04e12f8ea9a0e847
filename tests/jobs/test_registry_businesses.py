"""Businesses 2, 5 and 6 end to end through the HTTP API, with syncs run by a real RQ worker."""

from __future__ import annotations

from datetime import date, timedelta

from devkit.emulators.registry import qualification_record
from tests.api.flows import complete_first_filing, current_etag, save, sign_and_submit, upload
from tests.factories import pdf_bytes
from tests.jobs.conftest import work
from tests.jobs.helpers import demo_enterprise, employ_demo_persons


def open_filing(enterprise, business, **body):
    response = enterprise.post("/api/v1/filings", json={"business": business, **body})
    assert response.status_code == 201, response.json
    return response.json


def sync_filing(enterprise, redis_conn, filing_id):
    response = enterprise.post(f"/api/v1/filings/{filing_id}/sync", json={})
    assert response.status_code == 202, response.json
    work(redis_conn)
    job = enterprise.get(f"/api/v1/jobs/{response.json['id']}").json
    assert job["status"] == "finished", job
    return job


def section(filing, key):
    return next(s for s in filing["sections"] if s["key"] == key)


def technical_worker_row(person_id, scan_id, **overrides):
    row = {
        "person": person_id,
        "certificate_type": "technical_worker",
        "certificate_number": "JN2023650100123",
        "trade": "钢筋工",
        "level": "level_3",
        "issuer": "新疆维吾尔自治区人力资源和社会保障厅",
        "issued_on": "2023-04-01",
        "valid_until": (date.today() + timedelta(days=700)).isoformat(),
        "scan": scan_id,
    }
    return row | overrides


def assert_each_certificate_counted_once(result):
    """A certificate left out of the filing is counted under failed only, never also as added."""
    counts = result["counts"]
    assert counts["added"] + counts["updated"] + counts["unchanged"] == result["filing"]["rows"]
    left_out = {f["item"].split(" ")[0] for f in result["failed"]}
    assert left_out == {"陈立新"}
    assert not [label for label in result["added"] if label.split(" ")[0] in left_out]


def file_personnel_certificates(enterprise, redis_conn, persons):
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    job = sync_filing(enterprise, redis_conn, filing["id"])
    assert job["result"]["filing"] == {"id": filing["id"], "rows": 5, "changed": True}
    scan = upload(enterprise, filing["id"], "certificate_scan", pdf_bytes(), "技术工人证书.pdf")["attachment"]
    save(enterprise, filing, "other_certificates", {"certificates": [technical_worker_row(persons[1], scan["id"])]})
    return filing


def test_personnel_certificates_synced_plus_hand_added_are_approved(
    login_enterprise, make_person, redis_conn, services
):
    enterprise = demo_enterprise(login_enterprise)
    persons = employ_demo_persons(make_person, enterprise)
    filing = file_personnel_certificates(enterprise, redis_conn, persons)

    shown = enterprise.get(f"/api/v1/filings/{filing['id']}").json
    registered = section(shown, "registered_certificates")
    assert registered["complete"] and len(registered["values"]["certificates"]) == 5
    assert {r["person"]["name"] for r in registered["values"]["certificates"]} == {"张建国", "刘卫东", "王晓峰"}
    assert "陈立新" not in str(registered["values"])  # registered to another enterprise: left out
    assert section(shown, "other_certificates")["values"]["certificates"][0]["person"]["name"] == "刘卫东"

    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    record = enterprise.get("/api/v1/enterprise").json["filed_record"]
    assert len(record["registered_certificates"]["certificates"]) == 5
    assert record["other_certificates"]["certificates"][0]["trade"] == "钢筋工"


def test_sync_counts_a_left_out_certificate_under_failed_only(login_enterprise, make_person, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    result = sync_filing(enterprise, redis_conn, filing["id"])["result"]
    assert result["counts"] == {"added": 5, "updated": 0, "unchanged": 0, "removed": 0, "failed": 1}
    assert_each_certificate_counted_once(result)


def test_synced_certificates_cannot_be_typed_by_hand(login_enterprise, make_person, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    persons = employ_demo_persons(make_person, enterprise, count=1)
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    row = {"person": persons[0], "certificate_type": "constructor_1", "certificate_number": "X"}
    refused = save(enterprise, filing, "registered_certificates", {"certificates": [row]}, expect=422)
    assert refused["errors"]["certificates"] == "注册证书：由系统维护，不能直接修改"


def test_hand_added_certificate_needs_an_employed_person_and_a_scan_of_this_filing(
    login_enterprise, make_person, redis_conn
):
    enterprise = demo_enterprise(login_enterprise)
    outsider = make_person("外单位人员")  # verified, not employed here
    employed = make_person("本单位人员", employed_by=enterprise.id)
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    rows = [technical_worker_row(outsider, "no-such-scan")]
    refused = save(enterprise, filing, "other_certificates", {"certificates": rows}, expect=422)
    assert "未与本企业建立聘用关系" in refused["errors"]["certificates[0].person"]
    assert "附件不存在于本办件" in refused["errors"]["certificates[0].scan"]

    scan = upload(enterprise, filing["id"], "certificate_scan", pdf_bytes())["attachment"]
    save(enterprise, filing, "other_certificates", {"certificates": [technical_worker_row(employed, scan["id"])]})
    still_used = enterprise.delete(f"/api/v1/filings/{filing['id']}/attachments/{scan['id']}")
    assert still_used.status_code == 409 and "第 1 行引用" in still_used.json["detail"]


def test_personnel_certificates_rejected_when_expired_or_person_left(
    login_enterprise, make_person, redis_conn, services
):
    from sqlalchemy import select

    from entryfiling.db.models import Employment
    from handlers import persons as person_handlers

    enterprise = demo_enterprise(login_enterprise)
    persons = employ_demo_persons(make_person, enterprise, count=1)
    worker = make_person("李技工", employed_by=enterprise.id)
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    sync_filing(enterprise, redis_conn, filing["id"])
    scan = upload(enterprise, filing["id"], "certificate_scan", pdf_bytes())["attachment"]
    expired = (date.today() - timedelta(days=1)).isoformat()
    save(
        enterprise,
        filing,
        "other_certificates",
        {"certificates": [technical_worker_row(worker, scan["id"], valid_until=expired)]},
    )
    with services.uow() as uow:
        employment = uow.session.scalar(select(Employment.id).where(Employment.person_id == persons[0]))
    person_handlers.end_employment(services, employment)

    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("其他证书第1行" in r and f"已于 {expired} 过期" in r for r in decided["reasons"])
    assert any("张建国未与本企业建立聘用关系" in r for r in decided["reasons"])


def test_qualification_change_syncs_cancels_and_updates_the_record(login_enterprise, make_person, redis_conn, registry):
    enterprise = demo_enterprise(login_enterprise)
    person = make_person(employed_by=enterprise.id)
    first = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, first["id"]).json["status"] == "approved"
    registry.state.reset()  # the first filing's records were put into the registry: back to the demo's

    filing = open_filing(enterprise, "qualification_change")
    assert len(section(filing, "qualifications")["values"]["qualifications"]) == 2  # from the filed record
    job = sync_filing(enterprise, redis_conn, filing["id"])
    counts = job["result"]["counts"]
    assert counts == {"added": 5, "updated": 2, "unchanged": 0, "failed": 0}  # two on record, dates moved
    rows = section(enterprise.get(f"/api/v1/filings/{filing['id']}").json, "qualifications")["values"]
    assert len(rows["qualifications"]) == 7
    target = rows["qualifications"][0]

    cancel_url = f"/api/v1/filings/{filing['id']}/sections/qualifications/tables/qualifications/rows/1/cancel"
    cancelled = enterprise.post(cancel_url, headers={"If-Match": current_etag(enterprise, filing["id"])})
    assert cancelled.status_code == 200, cancelled.json
    values = section(cancelled.json, "qualifications")["values"]
    assert len(values["qualifications"]) == 6
    (shown,) = values["cancelled_qualifications"]  # 查看取消登记资质
    assert shown["name"] == target["name"] and shown["cancelled_on"]
    assert enterprise.post(cancel_url).status_code == 428
    beyond = enterprise.post(
        cancel_url.replace("/rows/1/", "/rows/99/"), headers={"If-Match": current_etag(enterprise, filing["id"])}
    )
    assert beyond.status_code == 404 and "没有第 99 行" in beyond.json["detail"]

    again = sync_filing(enterprise, redis_conn, filing["id"])
    assert again["result"]["counts"]["failed"] == 1 and "已取消登记" in again["result"]["failed"][0]["reason"]
    current = section(enterprise.get(f"/api/v1/filings/{filing['id']}").json, "qualifications")["values"]
    assert len(current["qualifications"]) == 6

    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    record = enterprise.get("/api/v1/enterprise").json["filed_record"]["qualifications"]
    assert len(record["qualifications"]) == 6
    assert [q["name"] for q in record["cancelled_qualifications"]] == [target["name"]]


def test_qualification_sync_refuses_a_submitted_filing(login_enterprise, make_person, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    person = make_person(employed_by=enterprise.id)
    first = complete_first_filing(enterprise, person, person)
    sign_and_submit(enterprise, first["id"])
    refused = enterprise.post(f"/api/v1/filings/{first['id']}/sync", json={})
    assert refused.status_code == 403 and "没有可从全国建筑市场监管公共服务平台同步的栏目" in refused.json["detail"]
    bad_kind = enterprise.post(f"/api/v1/filings/{first['id']}/sync", json={"kind": "bogus"})
    assert bad_kind.status_code == 422


def test_personnel_certificate_change_edits_removes_and_adds(login_enterprise, make_person, redis_conn, registry):
    enterprise = demo_enterprise(login_enterprise)
    persons = employ_demo_persons(make_person, enterprise)
    first = complete_first_filing(enterprise, persons[0], persons[1])
    assert sign_and_submit(enterprise, first["id"]).json["status"] == "approved"
    registry.state.reset()  # the first filing's records were put into the registry: back to the demo's
    filed = file_personnel_certificates(enterprise, redis_conn, persons)
    assert sign_and_submit(enterprise, filed["id"]).json["status"] == "approved"

    change = open_filing(enterprise, "personnel_certificate_change")
    registered = section(change, "registered_certificates")["values"]["certificates"]
    others = section(change, "other_certificates")["values"]["certificates"]
    assert len(registered) == 5 and len(others) == 1  # carried over from the filed record

    kept = [{**r, "person": r["person"]["id"]} for r in registered[1:]]  # remove the first
    kept[0]["specialty"] = "机电工程"  # edit one
    save(enterprise, change, "registered_certificates", {"certificates": kept})
    scan = upload(enterprise, change["id"], "certificate_scan", pdf_bytes())["attachment"]
    carried = {**others[0], "person": others[0]["person"]["id"], "level": "level_2"}
    added = technical_worker_row(persons[2], scan["id"], certificate_number="JN2024650100999", trade="电焊工")
    save(enterprise, change, "other_certificates", {"certificates": [carried, added]})

    decided = sign_and_submit(enterprise, change["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    record = enterprise.get("/api/v1/enterprise").json["filed_record"]
    assert len(record["registered_certificates"]["certificates"]) == 4
    assert record["registered_certificates"]["certificates"][0]["specialty"] == "机电工程"
    assert [c["level"] for c in record["other_certificates"]["certificates"]] == ["level_2", "level_3"]


def test_duplicate_rows_are_refused_at_submission(login_enterprise, make_person, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    person = make_person(employed_by=enterprise.id)
    filing = open_filing(enterprise, "personnel_certificates", enterprise_type="construction")
    sync_filing(enterprise, redis_conn, filing["id"])
    scan = upload(enterprise, filing["id"], "certificate_scan", pdf_bytes())["attachment"]
    row = technical_worker_row(person, scan["id"])
    save(enterprise, filing, "other_certificates", {"certificates": [row, row]})
    refused = sign_and_submit(enterprise, filing["id"])
    assert refused.status_code == 422
    assert "第 2 行与第 1 行重复" in " ".join(refused.json["problems"])


def test_new_businesses_are_described(client):
    described = {b["key"]: b for b in client.get("/api/v1/businesses").json}
    assert {"personnel_certificates", "qualification_change", "personnel_certificate_change"} <= set(described)
    sync = described["personnel_certificates"]["sections"][0]["sync"]
    assert sync == {"kind": "certificates", "table": "certificates", "replace": True}
    qualifications = described["qualification_change"]["sections"][0]["fields"][0]
    assert qualifications["cancel_into"] == "cancelled_qualifications"


def test_a_synced_qualification_keeps_the_registry_status_and_gets_its_class(
    login_enterprise, make_person, redis_conn, registry
):
    enterprise = demo_enterprise(login_enterprise)
    person = make_person(employed_by=enterprise.id)
    first = complete_first_filing(enterprise, person, person)
    assert sign_and_submit(enterprise, first["id"]).json["status"] == "approved"
    registry.state.reset()
    listed = registry.state.enterprises[enterprise.uscc]["qualifications"]
    *kept, labour = listed
    frozen = qualification_record(
        "钢结构工程专业承包叁级", "D334023455", labour["valid_until"], "合肥市", labour["issued_on"]
    )
    registry.put_enterprise(
        enterprise.uscc, enterprise.name, [*kept, labour | {"status": "撤回"}, frozen | {"status": "冻结中"}]
    )

    filing = open_filing(enterprise, "qualification_change")
    job = sync_filing(enterprise, redis_conn, filing["id"])
    (failed,) = job["result"]["failed"]  # a wording the catalogue does not know is not guessed
    assert "冻结中" in failed["reason"]
    rows = section(enterprise.get(f"/api/v1/filings/{filing['id']}").json, "qualifications")["values"]["qualifications"]
    synced = next(r for r in rows if r["certificate_number"] == "D334023430")
    assert (synced["name"], synced["category"], synced["status"]) == (
        "施工劳务不分等级",
        "specialist_work",
        "withdrawn",
    )
    assert {r["status"] for r in rows if r is not synced} == {"valid"}
    assert {r["category"] for r in rows} == {"general_contracting", "specialty_contracting", "specialist_work"}

    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("施工劳务不分等级" in r and "撤回" in r for r in decided["reasons"]), decided["reasons"]
