"""Walks a user takes through the HTTP API, shared by the API tests."""

from __future__ import annotations

import io
import subprocess
from datetime import date, timedelta
from typing import Any

import requests
from PIL import Image

from entryfiling.db.models import Person
from tests.conftest import EnterpriseLogin
from tests.factories import PNG_BYTES, make_id_number, pdf_bytes

LEGAL_REP_ID = "11010519750109002X"


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


# A qualification each enterprise type may hold (the catalogue's sequences), with its official number.
QUALIFICATION_OF_TYPE = {
    "construction": None,  # the two rows below
    "supervision": ("工程监理综合资质", "E132000001", "中华人民共和国住房和城乡建设部"),
    "survey": ("岩土工程勘察专业甲级", "B134000123", "安徽省住房和城乡建设厅"),
    "design": ("建筑行业设计甲级", "A134000456", "安徽省住房和城乡建设厅"),
    "quality_testing": ("建设工程质量检测机构综合资质", "F134000789", "安徽省住房和城乡建设厅"),
}


def safety_licence(issued_on: date | None = None, **overrides: Any) -> dict[str, Any]:
    """A construction enterprise's 安全生产许可证: valid three years from issue, in the official numbering."""
    issued = issued_on or date.today() - timedelta(days=400)
    issued = issued.replace(day=28) if (issued.month, issued.day) == (2, 29) else issued
    values = {
        "safety_license_number": f"(皖)JZ安许证字[{issued.year}]000123",
        "safety_license_issued_on": issued.isoformat(),
        "safety_license_valid_until": (issued.replace(year=issued.year + 3) - timedelta(days=1)).isoformat(),
        "safety_license_issuer": "安徽省住房和城乡建设厅",
    }
    return values | overrides


def qualifications(valid_until: date | None = None, enterprise_type: str = "construction") -> dict[str, Any]:
    """The qualification section of a baseline: its rows (status 有效) and, for a builder, its 安全生产许可证."""
    until = (valid_until or date.today() + timedelta(days=400)).isoformat()
    # Qualification certificates run five years: issued within the last five, never after the validity ends.
    issued = (min(date.fromisoformat(until), date.today()) - timedelta(days=700)).isoformat()
    if (other := QUALIFICATION_OF_TYPE.get(enterprise_type)) is not None:
        name, number, authority = other
        row = {"name": name, "certificate_number": number, "valid_until": until, "issued_on": issued}
        return {"qualifications": [row | {"issuing_authority": authority, "status": "valid"}]}
    return {
        "qualifications": [
            {
                "name": "建筑工程施工总承包贰级",
                "certificate_number": "D234023425",
                "valid_until": until,
                "issuing_authority": "安徽省住房和城乡建设厅",
                "issued_on": issued,
                "status": "valid",
            },
            {
                "name": "市政公用工程施工总承包叁级",
                "certificate_number": "D334023422",
                "valid_until": until,
                "issued_on": issued,
                "status": "valid",
            },
        ],
        **safety_licence(),
    }


def xinjiang_office(enterprise: EnterpriseLogin, **overrides: Any) -> dict[str, Any]:
    """The 驻疆机构 section of a first filing (and of a publicity extension)."""
    values = {
        "office_name": f"{enterprise.name}新疆分公司",
        "region": "乌鲁木齐市",
        "address": "新疆乌鲁木齐市天山区解放北路 8 号",
        "office_area": "260",
        "premises_type": "leased",
        "lease_until": (date.today() + timedelta(days=900)).isoformat(),
        "head_name": "马新疆",
        "head_mobile": "13899990000",
    }
    return values | overrides


# The registered certificate a technical responsible person of each type holds (it fits the main qualification).
TECHNICAL_CERTIFICATE_OF_TYPE = {
    "construction": ("constructor_1", "一级注册建造师", "皖1342010201812345", "建筑工程"),
    "supervision": ("supervision_engineer", "注册监理工程师", "34012345", "房屋建筑工程"),
    "survey": ("geotechnical_engineer", "注册土木工程师（岩土）", "AY134000123", "岩土"),
    "design": ("architect_1", "一级注册建筑师", "JZ134000123", "建筑"),
    "quality_testing": ("structural_engineer_1", "一级注册结构工程师", "JG134000123", "结构"),
}


def technical_person(technical_id: int, enterprise_type: str = "construction", **overrides: Any) -> dict[str, Any]:
    code, _name, number, specialty = TECHNICAL_CERTIFICATE_OF_TYPE[enterprise_type]
    values = {
        "person": technical_id,
        "professional_title": "senior",
        "title_certificate_number": "GC2019-001",
        "title_specialty": "建筑工程",
        "years_in_field": 15,
        "registered_certificate_type": code,
        "registered_certificate_number": number,
        "registered_specialty": specialty,
        "mobile": "13812345678",
    }
    return values | overrides


def _registry_url(enterprise: EnterpriseLogin) -> str:
    return enterprise.client.application.extensions["entryfiling"].settings.registry_api_base_url


def id_number_of(enterprise: EnterpriseLogin, person_id: int) -> str:
    services = enterprise.client.application.extensions["entryfiling"]
    with services.uow() as uow:
        return services.cipher.decrypt(uow.session.get_one(Person, person_id).id_number_sealed)


# How the registry words each status (the stand-in answers as the real one does).
REGISTRY_STATUS_WORDING = {"valid": "有效", "suspended": "暂停", "withdrawn": "撤回", "cancelled": "注销"}


def registry_knows_qualifications(enterprise: EnterpriseLogin, rows: list[dict[str, Any]]) -> None:
    """The registry stand-in records these qualifications for the enterprise (as the real one would)."""
    listed = [
        {
            "qualification_name": row["name"],
            "certificate_number": row["certificate_number"],
            "valid_until": row["valid_until"],
            "issuing_authority": row.get("issuing_authority", ""),
            "issued_on": row["issued_on"],
            "status": REGISTRY_STATUS_WORDING.get(row.get("status", "valid"), row.get("status", "")),
        }
        for row in rows
    ]
    body = {"name": enterprise.name, "qualifications": listed}
    requests.put(f"{_registry_url(enterprise)}/_admin/enterprises/{enterprise.uscc}", json=body, timeout=10)


def registry_knows_certificate(
    enterprise: EnterpriseLogin,
    person_id: int,
    certificate_type: str,
    number: str,
    specialty: str,
    *,
    holder: tuple[str, str] | None = None,
    valid_until: date | None = None,
) -> None:
    """The registry stand-in records this registered certificate for the person (registered to ``holder``)."""
    name, uscc = holder or (enterprise.name, enterprise.uscc)
    certificate = {
        "certificate_type": certificate_type,
        "certificate_number": number,
        "specialty": specialty,
        "registered_enterprise": {"name": name, "uscc": uscc},
        "issued_on": (date.today() - timedelta(days=700)).isoformat(),
        "valid_until": (valid_until or date.today() + timedelta(days=400)).isoformat(),
    }
    url = f"{_registry_url(enterprise)}/_admin/persons/{id_number_of(enterprise, person_id)}"
    requests.put(url, json={"name": "", "certificates": [certificate]}, timeout=10)


# What the step-by-step tests answer for the one qualification row asked.
GUIDED_QUALIFICATION = {
    "name": "建筑工程施工总承包贰级",
    "certificate_number": "D234023425",
    "valid_until": "2030-12-31",
    "issued_on": "2026-01-10",
    "status": "valid",
}


# Step-by-step answers (by the path's last key) to what a real filing asks beyond the four sections of old:
# a qualification's status, a builder's 安全生产许可证 and the 驻疆机构.
REAL_FILING_ANSWERS = {
    "status": "有效",
    "safety_license_number": "(皖)JZ安许证字〔2026〕000123",
    "safety_license_issued_on": "2026年1月10日",
    "safety_license_valid_until": "2029年1月9日",
    "safety_license_issuer": "安徽省住房和城乡建设厅",
    "office_name": "安徽德拓建设工程有限公司新疆分公司",
    "region": "乌鲁木齐",
    "address": "新疆乌鲁木齐市天山区解放北路8号",
    "office_area": "260平方米",
    "premises_type": "租赁",
    "head_name": "马新疆",
    "head_mobile": "13899990000",
}


# The same, as a clerk says them in the conversation.
LICENCE_SENTENCE = (
    "安全生产许可证编号(皖)JZ安许证字〔2026〕000123，安全生产许可证发证日期2026年1月10日，"
    "安全生产许可证有效期至2029年1月9日，安全生产许可证发证机关安徽省住房和城乡建设厅"
)
OFFICE_SENTENCE = (
    "驻疆机构名称安徽德拓建设工程有限公司新疆分公司，所在地州市乌鲁木齐，驻疆机构地址新疆乌鲁木齐市天山区解放北路8号，"
    "办公面积260平方米，场所性质租赁，驻疆机构负责人马新疆，负责人手机号码13899990000"
)


def registry_agrees(enterprise: EnterpriseLogin, technical_id: int, rows: list[dict[str, Any]] | None = None) -> None:
    """The registry records what a construction baseline files: its qualifications and the technical head's
    一级注册建造师 (建筑工程), registered to this enterprise."""
    registry_knows_qualifications(enterprise, rows if rows is not None else [GUIDED_QUALIFICATION])
    _code, type_name, number, specialty = TECHNICAL_CERTIFICATE_OF_TYPE["construction"]
    registry_knows_certificate(enterprise, technical_id, type_name, number, specialty)


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
    rows = qualifications(valid_until, enterprise_type)
    save(enterprise, filing, "qualifications", rows)
    registry_knows_qualifications(enterprise, rows["qualifications"])
    upload(enterprise, fid, "qualification_certificates", pdf_bytes(), "资质证书.pdf")
    if enterprise_type == "construction":
        upload(enterprise, fid, "safety_license_scan", pdf_bytes(), "安全生产许可证.pdf")
    save(
        enterprise,
        filing,
        "responsible_person",
        {"person": responsible_id, "position": "进疆负责人", "mobile": "13912345678"},
    )
    upload(enterprise, fid, "responsible_person_appointment", pdf_bytes(), "任命书.pdf")
    upload(enterprise, fid, "responsible_person_id_card")
    upload(enterprise, fid, "responsible_person_employment_proof", pdf_bytes(), "劳动合同.pdf")
    save(enterprise, filing, "technical_person", technical_person(technical_id, enterprise_type))
    _code, type_name, number, specialty = TECHNICAL_CERTIFICATE_OF_TYPE[enterprise_type]
    registry_knows_certificate(enterprise, technical_id, type_name, number, specialty)
    upload(enterprise, fid, "technical_title_certificate")
    upload(enterprise, fid, "technical_person_appointment")
    upload(enterprise, fid, "premises_proof", pdf_bytes(), "租赁合同.pdf")
    last = save(enterprise, filing, "xinjiang_office", xinjiang_office(enterprise))
    assert last["complete"], [s for s in last["sections"] if not s["complete"]]
    return last


def signed_letter(enterprise: EnterpriseLogin, filing_id: int) -> bytes:
    """The filing's own letter as the signed upload (printed, signed and saved again keeps its text and QR)."""
    response = enterprise.get(f"/api/v1/filings/{filing_id}/commitment-letter")
    assert response.status_code == 200, response.json
    return bytes(response.data)


def letter_photo(enterprise: EnterpriseLogin, filing_id: int, tmp_dir: Any) -> bytes:
    """A phone photo (JPEG) of the filing's printed letter, QR code and all (needs poppler's pdftoppm)."""
    source = tmp_dir / f"letter-{filing_id}.pdf"
    source.write_bytes(signed_letter(enterprise, filing_id))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_dir / f"page-{filing_id}")],
        check=True,
        timeout=60,
    )
    out = io.BytesIO()
    Image.open(tmp_dir / f"page-{filing_id}.png").convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def sign_and_submit(enterprise: EnterpriseLogin, filing_id: int, key: str | None = None, agreed: bool = True) -> Any:
    letter = upload(
        enterprise, filing_id, "commitment_letter", signed_letter(enterprise, filing_id), "承诺书-签章.pdf"
    )["attachment"]
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
