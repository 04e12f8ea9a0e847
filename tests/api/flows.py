"""Walks a user takes through the HTTP API, shared by the API tests."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from tests.conftest import EnterpriseLogin
from tests.factories import PNG_BYTES, make_id_number, pdf_bytes

LEGAL_REP_ID = "11010519491231002X"


def basic_info(enterprise: EnterpriseLogin, **overrides: Any) -> dict[str, Any]:
    values = {
        "enterprise_name": enterprise.name,
        "uscc": enterprise.uscc,
        "registered_province": "安徽省",
        "registered_address": "安徽省合肥市高新区创新大道 100 号",
        "registered_capital": "5000",
        "established_on": "2008-05-20",
        "legal_representative_name": "李德拓",
        "legal_representative_id_number": LEGAL_REP_ID,
        "contact_name": "王小明",
        "contact_phone": "0551-65551234",
        "xinjiang_office_address": "新疆乌鲁木齐市天山区解放北路 8 号",
    }
    values.update(overrides)
    return values


def qualifications(valid_until: date | None = None) -> dict[str, Any]:
    until = (valid_until or date.today() + timedelta(days=400)).isoformat()
    return {
        "qualifications": [
            {
                "name": "建筑工程施工总承包贰级",
                "certificate_number": "D234023425",
                "valid_until": until,
                "issuing_authority": "安徽省住房和城乡建设厅",
                "issued_on": "2015-12-24",
            },
            {
                "name": "市政公用工程施工总承包叁级",
                "certificate_number": "D334023422",
                "valid_until": until,
                "issued_on": "2020-11-20",
            },
        ]
    }


def open_first_filing(enterprise: EnterpriseLogin, enterprise_type: str = "construction") -> dict[str, Any]:
    response = enterprise.post("/api/v1/filings", json={"business": "first_filing", "enterprise_type": enterprise_type})
    assert response.status_code in (200, 201), response.json
    return response.json


def save(
    enterprise: EnterpriseLogin, filing: dict[str, Any], section: str, values: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = enterprise.put(
        f"/api/v1/filings/{filing['id']}/sections/{section}",
        json=values,
        headers={"If-Match": current_etag(enterprise, filing["id"])},
    )
    assert response.status_code == expect, response.json
    return response.json


def current_etag(enterprise: EnterpriseLogin, filing_id: int) -> str:
    return enterprise.get(f"/api/v1/filings/{filing_id}").headers["ETag"]


def upload(
    enterprise: EnterpriseLogin,
    filing_id: int,
    kind: str,
    content: bytes = PNG_BYTES,
    filename: str = "scan.png",
    expect: int = 201,
) -> dict[str, Any]:
    response = enterprise.post(
        f"/api/v1/filings/{filing_id}/attachments",
        data={"kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == expect, response.json
    return response.json


def complete_first_filing(
    enterprise: EnterpriseLogin,
    responsible_id: int,
    technical_id: int,
    *,
    valid_until: date | None = None,
    enterprise_type: str = "construction",
    **basic_overrides: Any,
) -> dict[str, Any]:
    filing = open_first_filing(enterprise, enterprise_type)
    fid = filing["id"]
    save(enterprise, filing, "basic_info", basic_info(enterprise, **basic_overrides))
    upload(enterprise, fid, "business_license")
    upload(enterprise, fid, "legal_representative_id_card")
    save(enterprise, filing, "qualifications", qualifications(valid_until))
    upload(enterprise, fid, "qualification_certificates", pdf_bytes(), "资质证书.pdf")
    save(
        enterprise,
        filing,
        "responsible_person",
        {"person": responsible_id, "position": "进疆负责人", "mobile": "13912345678"},
    )
    upload(enterprise, fid, "responsible_person_appointment", pdf_bytes(), "任命书.pdf")
    upload(enterprise, fid, "responsible_person_id_card")
    save(
        enterprise,
        filing,
        "technical_person",
        {
            "person": technical_id,
            "professional_title": "senior",
            "title_certificate_number": "GC2019-001",
            "mobile": "13812345678",
        },
    )
    upload(enterprise, fid, "technical_title_certificate")
    last = upload(enterprise, fid, "technical_person_appointment")
    assert last["complete"], [s for s in last["sections"] if not s["complete"]]
    return last


def sign_and_submit(enterprise: EnterpriseLogin, filing_id: int, key: str | None = None, agreed: bool = True) -> Any:
    letter = upload(enterprise, filing_id, "commitment_letter", pdf_bytes(), "承诺书-签章.pdf")["attachment"]
    headers = {"Idempotency-Key": key} if key else {}
    return enterprise.post(
        f"/api/v1/filings/{filing_id}/submit", json={"agreed": agreed, "signed_letter": letter["id"]}, headers=headers
    )


def new_id_number() -> str:
    return make_id_number()


def skip_or(step: dict[str, Any], answers: dict[str, Any]) -> Any:
    """A step-by-step answer: "没有了" to "还有其他…吗？", "跳过" to an optional field, else the answer by key."""
    if step.get("required") is False:
        return "没有了" if step["type"] == "yes_no" else "跳过"
    return answers[step["path"].rsplit(".", 1)[-1]]
