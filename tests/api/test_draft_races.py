"""A save checks its If-Match against the draft it read, and the write checks it again: a change
committed between the two (another save, an upload, a submit on another worker) gets the 412 that a
stale If-Match gets, and nothing of the late save is written or audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, update

from entryfiling import messages as msg
from entryfiling.db.models import AuditEvent, Filing
from tests.api.flows import current_etag, open_first_filing


@contextmanager
def another_change_before_the_update(services: Any, filing_id: int) -> Iterator[list[int]]:
    """Just before the request's ``UPDATE filings`` runs, commit a change of the same filing on
    another connection (what a second worker does): its version moves on."""
    done: list[int] = []

    def interfere(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if done or "UPDATE filings" not in statement:  # on PostgreSQL inside WITH … AS (UPDATE …)
            return
        done.append(filing_id)
        with services.engine.begin() as other:
            other.execute(update(Filing).where(Filing.id == filing_id).values(version=Filing.version + 1))

    with services.listening("before_cursor_execute", interfere):
        yield done


def _stored(services: Any, filing_id: int) -> tuple[int, dict[str, Any], int]:
    with services.uow() as uow:
        filing = uow.session.get(Filing, filing_id)
        audits = uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "section_saved")
        )
        return filing.version, filing.sections, audits or 0


@pytest.mark.parametrize("way", ["section_save", "guided_answer"])
def test_a_change_committed_between_read_and_write_gets_412_and_nothing_is_written(enterprise, services, way):
    fid = open_first_filing(enterprise)["id"]
    etag = current_etag(enterprise, fid)
    version, sections, audits = _stored(services, fid)
    with another_change_before_the_update(services, fid) as interfered:
        if way == "section_save":
            response = enterprise.put(
                f"/api/v1/filings/{fid}/sections/basic_info",
                json={"contact_name": "王小明"},
                headers={"If-Match": etag},
            )
        else:
            response = enterprise.post(
                f"/api/v1/filings/{fid}/answers",
                json={"field": "basic_info.contact_name", "value": "王小明"},
                headers={"If-Match": etag},
            )
    assert interfered == [fid]
    assert response.status_code == 412, response.json
    assert response.json["detail"] == msg.IF_MATCH_STALE and response.mimetype == "application/problem+json"
    # Only the other change landed: the version it moved to, the sections as they were, no audit row.
    assert _stored(services, fid) == (version + 1, sections, audits)
    # The draft's new ETag is what a fresh read gives, and a save with it goes through.
    fresh = current_etag(enterprise, fid)
    assert fresh != etag
    again = enterprise.put(
        f"/api/v1/filings/{fid}/sections/basic_info", json={"contact_name": "王小明"}, headers={"If-Match": fresh}
    )
    assert again.status_code == 200 and again.json["version"] == version + 2


@pytest.mark.parametrize("way", ["section_save", "guided_answer"])
def test_a_save_writes_its_audit_row_with_the_change(enterprise, services, way):
    fid = open_first_filing(enterprise)["id"]
    etag = current_etag(enterprise, fid)
    if way == "section_save":
        response = enterprise.put(
            f"/api/v1/filings/{fid}/sections/basic_info", json={"contact_name": "王小明"}, headers={"If-Match": etag}
        )
    else:
        response = enterprise.post(
            f"/api/v1/filings/{fid}/answers",
            json={"field": "basic_info.contact_name", "value": "王小明"},
            headers={"If-Match": etag},
        )
    assert response.status_code == 200, response.json
    with services.uow() as uow:
        rows = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "section_saved")).all()
        filing = uow.session.get(Filing, fid)
        assert filing.sections["basic_info"]["contact_name"] == "王小明"
        assert [(r.target, r.details, r.result, r.actor_type, r.enterprise_id) for r in rows] == [
            (
                f"filing:{fid}",
                {"section": "basic_info", "fields": ["contact_name"]},
                "success",
                "enterprise",
                filing.enterprise_id,
            )
        ]
        assert rows[0].source_address and rows[0].at == filing.updated_at
