"""Twenty simultaneous submits with one Idempotency-Key over real HTTP: one filing, one decision, one answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from entryfiling.db.models import AuditEvent, Filing, FilingEvent, IdempotencyRecord
from tests.api.flows import complete_first_filing, upload
from tests.factories import pdf_bytes
from tests.live import serving

CONCURRENT = 20


def test_concurrent_submits_with_one_key_all_get_the_first_result(app, enterprise, make_person, services):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    letter = upload(enterprise, filing["id"], "commitment_letter", pdf_bytes(), "承诺书.pdf")["attachment"]
    start = threading.Barrier(CONCURRENT)

    with serving(app) as base:

        def submit(_n: int) -> tuple[int, dict]:
            session = requests.Session()
            start.wait(timeout=60)
            response = session.post(
                f"{base}/api/v1/filings/{filing['id']}/submit",
                json={"agreed": True, "signed_letter": letter["id"]},
                headers={**enterprise.headers, "Idempotency-Key": "submit-once-7f3a"},
                timeout=120,
            )
            return response.status_code, response.json()

        with ThreadPoolExecutor(CONCURRENT) as pool:
            answers = list(pool.map(submit, range(CONCURRENT)))

    statuses = [status for status, _body in answers]
    assert statuses == [200] * CONCURRENT, [body for status, body in answers if status != 200]
    first = answers[0][1]
    assert first["status"] == "approved"
    assert all(body == first for _status, body in answers)
    with services.uow() as uow:
        session = uow.session
        assert (
            session.scalar(select(func.count()).select_from(Filing).where(Filing.enterprise_id == enterprise.id)) == 1
        )
        assert (
            session.scalar(select(func.count()).select_from(FilingEvent).where(FilingEvent.to_status == "approved"))
            == 1
        )
        assert (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "filing_approved"))
            == 1
        )
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1
