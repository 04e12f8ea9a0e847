"""A draft saved before the fields of a real filing existed (安全生产许可证, 驻疆机构, a qualification's 类别
and status) still loads after migration ``0011_filing_fields``, says what is now missing, and can be
completed and submitted."""

from __future__ import annotations

from typing import Any

from alembic import command

from entryfiling.db.models import Enterprise, Filing
from entryfiling.db.session import alembic_config
from tests.api.flows import (
    LEGAL_REP_ID,
    basic_info,
    open_first_filing,
    registry_agrees,
    safety_licence,
    save,
    sign_and_submit,
    technical_person,
    upload,
    xinjiang_office,
)
from tests.factories import pdf_bytes

# The qualification rows as the section stored them before 类别 and status: name, number, dates, authority.
OLD_ROWS = [
    {
        "name": "建筑工程施工总承包贰级",
        "certificate_number": "D234023425",
        "valid_until": "2030-12-31",
        "issuing_authority": "安徽省住房和城乡建设厅",
        "issued_on": "2026-01-10",
    }
]


def _old_sections(enterprise, services, responsible: int, technical: int) -> dict[str, Any]:
    basic = basic_info(enterprise) | {"legal_representative_id_number": services.cipher.encrypt(LEGAL_REP_ID)}
    return {
        "basic_info": basic,
        "qualifications": {"qualifications": OLD_ROWS},
        "responsible_person": {"person": responsible, "position": "进疆负责人", "mobile": "13912345678"},
        "technical_person": technical_person(technical),
    }


def _stored(services, filing_id: int) -> dict[str, Any]:
    with services.uow() as uow:
        return dict(uow.session.get_one(Filing, filing_id).sections)


def test_a_draft_of_the_old_shape_loads_shows_what_is_missing_and_can_be_submitted(
    enterprise, services, make_person, settings
):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘志强", employed_by=enterprise.id)
    registry_agrees(enterprise, technical, [OLD_ROWS[0] | {"status": "valid"}])
    filing = open_first_filing(enterprise)
    for kind in (
        "business_license",
        "legal_representative_id_card",
        "qualification_certificates",
        "responsible_person_appointment",
        "responsible_person_id_card",
        "responsible_person_employment_proof",
        "technical_title_certificate",
        "technical_person_appointment",
    ):
        upload(enterprise, filing["id"], kind)
    # Written as the old version of the application wrote it, then the database goes down to the
    # revision before and up again, so 0011 runs over this very row.
    with services.uow() as uow:
        uow.session.get_one(Filing, filing["id"]).sections = _old_sections(enterprise, services, responsible, technical)
        uow.commit()
    config = alembic_config(settings.database_url)
    command.downgrade(config, "0010_perf")
    assert "category" not in _stored(services, filing["id"])["qualifications"]["qualifications"][0]
    command.upgrade(config, "head")
    assert _stored(services, filing["id"])["qualifications"]["qualifications"][0]["category"] == "general_contracting"

    loaded = enterprise.get(f"/api/v1/filings/{filing['id']}")
    assert loaded.status_code == 200, loaded.json
    sections = {s["key"]: s for s in loaded.json["sections"]}
    assert sections["basic_info"]["complete"] and sections["technical_person"]["complete"]
    assert sections["qualifications"]["values"]["qualifications"][0]["category"] == "general_contracting"
    missing = {m["path"] for m in sections["qualifications"]["missing_fields"]}
    assert missing == {
        "qualifications[0].status",
        "safety_license_number",
        "safety_license_issued_on",
        "safety_license_valid_until",
        "safety_license_issuer",
    }
    assert [a["kind"] for a in sections["qualifications"]["missing_attachments"]] == ["safety_license_scan"]
    assert not sections["xinjiang_office"]["saved"]
    refused = enterprise.post(f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": "none"})
    assert refused.status_code == 422

    rows = [OLD_ROWS[0] | {"status": "valid"}]
    save(enterprise, filing, "qualifications", {"qualifications": rows, **safety_licence()})
    upload(enterprise, filing["id"], "safety_license_scan", pdf_bytes(), "安全生产许可证.pdf")
    upload(enterprise, filing["id"], "premises_proof", pdf_bytes(), "租赁合同.pdf")
    completed = save(enterprise, filing, "xinjiang_office", xinjiang_office(enterprise))
    assert completed["complete"], [s for s in completed["sections"] if not s["complete"]]
    decided = sign_and_submit(enterprise, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    filed = enterprise.get("/api/v1/enterprise").json
    assert filed["filed_record"]["qualifications"]["qualifications"][0]["category"] == "general_contracting"


def test_the_migration_fills_the_category_of_filed_records_and_cancelled_rows(enterprise, services, settings):
    old = {
        "qualifications": {
            "qualifications": OLD_ROWS,
            "cancelled_qualifications": [
                {"name": "工程监理综合资质", "certificate_number": "E132000001", "cancelled_on": "2026-01-01"}
            ],
        },
        "basic_info": {"enterprise_name": enterprise.name},
    }
    with services.uow() as uow:
        uow.session.get_one(Enterprise, enterprise.id).filed_record = old
        uow.commit()
    config = alembic_config(settings.database_url)
    command.downgrade(config, "0010_perf")
    command.upgrade(config, "head")
    with services.uow() as uow:
        record = uow.session.get_one(Enterprise, enterprise.id).filed_record
    assert record["qualifications"]["qualifications"][0]["category"] == "general_contracting"
    assert record["qualifications"]["cancelled_qualifications"][0]["category"] == "supervision"
    assert record["basic_info"] == old["basic_info"]
