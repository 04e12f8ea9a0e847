"""Registry syncs as background jobs: 202 + job id, progress, results, dedup, retries, failures."""

from __future__ import annotations

from rq.job import Job
from rq.job import JobStatus as RQStatus
from sqlalchemy import func, select

from entryfiling.db.models import BackgroundJob, PersonCertificate
from tests.jobs.conftest import jump_to_retries, work
from tests.jobs.helpers import demo_enterprise, employ_demo_persons


def start_certificate_sync(enterprise):
    response = enterprise.post("/api/v1/sync/certificates")
    assert response.status_code == 202, response.json
    assert response.headers["Location"] == f"/api/v1/jobs/{response.json['id']}"
    return response.json


def held_certificates(session):
    return sorted((c.id, c.certificate_number, c.synced_at) for c in session.scalars(select(PersonCertificate)))


def job_view(enterprise, job_id):
    response = enterprise.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 200, response.json
    return response.json


def test_certificate_sync_runs_on_a_worker_and_reports_results(login_enterprise, make_person, redis_conn, services):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    make_person("未认证", verified=False, employed_by=enterprise.id)  # not synced: not verified
    job = start_certificate_sync(enterprise)
    assert job["status"] == "queued" and job["reused"] is False

    work(redis_conn)

    done = job_view(enterprise, job["id"])
    assert done["status"] == "finished", done
    assert done["progress"] == {"done": 4, "total": 4}
    assert done["attempts"] == 1
    counts = done["result"]["counts"]
    assert counts == {"added": 5, "updated": 0, "unchanged": 0, "removed": 0, "failed": 1}  # 陈立新: failed only
    (flagged,) = done["result"]["failed"]
    assert "陈立新" in flagged["reason"] and "江苏苏建集团有限公司" in flagged["reason"]
    rq_job = Job.fetch(job["id"], connection=redis_conn)
    assert rq_job.get_status() == RQStatus.FINISHED
    assert rq_job.meta["progress"] == {"done": 4, "total": 4}

    listed = enterprise.get("/api/v1/sync/certificates").json["items"]
    assert len(listed) == 6
    assert [c["registered_elsewhere"] for c in listed if c["person"]["name"] == "陈立新"] == [True]


def test_running_the_sync_twice_changes_nothing(login_enterprise, make_person, redis_conn, services):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    start_certificate_sync(enterprise)
    work(redis_conn)
    with services.uow() as uow:
        first = held_certificates(uow.session)

    again = start_certificate_sync(enterprise)
    work(redis_conn)

    result = job_view(enterprise, again["id"])["result"]
    assert result["counts"] == {"added": 0, "updated": 0, "unchanged": 5, "removed": 0, "failed": 1}
    with services.uow() as uow:
        second = held_certificates(uow.session)
    assert second == first


def test_sync_picks_up_registry_changes(login_enterprise, make_person, redis_conn, registry):
    from devkit.emulators.registry import DEMO_PERSONS, certificate_record

    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise, count=1)
    start_certificate_sync(enterprise)
    work(redis_conn)
    zhang = DEMO_PERSONS[0]
    own = {"name": enterprise.name, "uscc": enterprise.uscc}
    registry.put_person(
        zhang.id_number,
        zhang.name,
        [certificate_record("一级注册建造师", "皖1342010201812345", "市政公用工程", own, "2020-01-01", "2031-01-01")],
    )
    job = start_certificate_sync(enterprise)
    work(redis_conn)
    result = job_view(enterprise, job["id"])["result"]
    assert result["counts"] == {"added": 0, "updated": 1, "unchanged": 0, "removed": 1, "failed": 0}


def test_second_click_returns_the_running_job(login_enterprise, make_person, redis_conn, services):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    first = start_certificate_sync(enterprise)
    second = start_certificate_sync(enterprise)
    assert second["id"] == first["id"] and second["reused"] is True
    other_kind = enterprise.post("/api/v1/sync/qualifications").json
    assert other_kind["id"] != first["id"]
    work(redis_conn)
    third = start_certificate_sync(enterprise)
    assert third["id"] != first["id"] and third["reused"] is False
    with services.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BackgroundJob)) == 3


def test_transient_registry_failure_is_retried_by_rq(login_enterprise, make_person, redis_conn, registry):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    registry.set_fault("error", status=503, target="certificates")
    job = start_certificate_sync(enterprise)
    work(redis_conn)

    waiting = job_view(enterprise, job["id"])
    assert waiting["status"] == "retrying", waiting
    assert "状态码 503" in waiting["error"]
    assert Job.fetch(job["id"], connection=redis_conn).get_status() == RQStatus.SCHEDULED

    registry.clear_fault()
    assert jump_to_retries(redis_conn) == 1
    work(redis_conn)
    done = job_view(enterprise, job["id"])
    assert done["status"] == "finished" and done["attempts"] == 2 and done["error"] is None
    assert done["result"]["counts"]["added"] == 5


def test_registry_down_through_every_retry_fails_the_job_visibly(login_enterprise, make_person, redis_conn, registry):
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise, count=2)
    registry.set_fault("error", status=500)
    job = start_certificate_sync(enterprise)
    work(redis_conn)
    for _ in range(3):  # rq.Retry(max=3)
        assert jump_to_retries(redis_conn) == 1
        work(redis_conn)

    failed = job_view(enterprise, job["id"])
    assert failed["status"] == "failed" and failed["status_label"] == "失败"
    assert failed["attempts"] == 4
    assert "暂时无法访问" in failed["error"]
    assert failed["result"] is None
    assert failed["progress"]["done"] < 2
    assert Job.fetch(job["id"], connection=redis_conn).get_status() == RQStatus.FAILED
    # A new click starts afresh.
    assert start_certificate_sync(enterprise)["id"] != job["id"]


def test_unknown_enterprise_fails_at_once_without_retries(login_enterprise, redis_conn):
    enterprise = login_enterprise("不在平台上的企业")
    response = enterprise.post("/api/v1/sync/qualifications")
    assert response.status_code == 202
    work(redis_conn)
    failed = job_view(enterprise, response.json["id"])
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert "未查询到" in failed["error"] and enterprise.uscc in failed["error"]
    assert Job.fetch(response.json["id"], connection=redis_conn).get_status() == RQStatus.FAILED


def test_qualification_offers_without_a_filing(login_enterprise, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    job = enterprise.post("/api/v1/sync/qualifications").json
    work(redis_conn)
    result = job_view(enterprise, job["id"])["result"]
    assert result["counts"]["added"] == 7 and len(result["offered"]) == 7


def test_jobs_are_private_to_their_enterprise(login_enterprise, make_person, redis_conn):
    owner = demo_enterprise(login_enterprise)
    job = start_certificate_sync(owner)
    stranger = login_enterprise("别家企业")
    assert stranger.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    missing = owner.get("/api/v1/jobs/no-such-job")
    assert missing.status_code == 404 and missing.json["detail"] == "任务不存在"
    assert [j["id"] for j in owner.get("/api/v1/jobs").json["items"]] == [job["id"]]
    assert stranger.get("/api/v1/jobs").json["items"] == []


def test_same_status_api_without_redis(make_app, login_enterprise, make_person, registry, services):
    """The embedded default: no REDIS_URL, the job runs in a thread of the web process."""
    from tests.conftest import certificate_login
    from tests.jobs.conftest import REGISTRY_TEST_SETTINGS

    embedded = make_app(redis_url=None, registry_api_base_url=registry.url, **REGISTRY_TEST_SETTINGS)
    enterprise = demo_enterprise(login_enterprise)
    employ_demo_persons(make_person, enterprise)
    client = embedded.test_client()
    token = certificate_login(client, enterprise.cert_path, enterprise.key_path).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    response = client.post("/api/v1/sync/certificates", headers=headers)
    assert response.status_code == 202
    dispatcher = embedded.extensions["entryfiling"].dispatcher
    dispatcher.wait(response.json["id"], timeout=60)

    done = client.get(f"/api/v1/jobs/{response.json['id']}", headers=headers).json
    assert set(done) == set(response.json) - {"reused"}
    assert done["status"] == "finished" and done["progress"] == {"done": 4, "total": 4}
    assert done["result"]["counts"]["added"] == 5


def test_filing_sync_needs_no_body_and_refuses_other_enterprises_filings(login_enterprise, make_person, redis_conn):
    enterprise = demo_enterprise(login_enterprise)
    filing = enterprise.post(
        "/api/v1/filings", json={"business": "personnel_certificates", "enterprise_type": "construction"}
    ).json
    assert enterprise.post(f"/api/v1/filings/{filing['id']}/sync").status_code == 202
    stranger = login_enterprise("别家企业")
    assert stranger.post(f"/api/v1/filings/{filing['id']}/sync").status_code == 404
