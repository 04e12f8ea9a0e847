"""Business 7 (publicity extension), business 8 (cost-consulting projects) and the public register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.services import utcnow
from tests.api.flows import LEGAL_REP_ID, basic_info, complete_first_filing, save, sign_and_submit, upload
from tests.factories import make_id_number, pdf_bytes

OFFICE = {
    "office_name": "安徽德拓建设工程有限公司新疆分公司",
    "region": "昌吉回族自治州",
    "address": "新疆昌吉市延安北路 66 号",
    "office_area": "180",
    "premises_type": "leased",
    "lease_until": (date.today() + timedelta(days=900)).isoformat(),
    "head_name": "马新疆",
    "head_mobile": "13899990000",
}


def travel(services, days: int) -> None:
    """Let the application's clock run ``days`` ahead (publicity windows are about dates)."""
    services.clock = lambda: utcnow() + timedelta(days=days)


def open_business(enterprise, business: str, expect: int = 201, **body) -> dict:
    response = enterprise.post("/api/v1/filings", json={"business": business, **body})
    assert response.status_code == expect, response.json
    return response.json


@pytest.fixture
def filed(enterprise, make_person):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    return enterprise


# ---------------------------------------------------------------------------- business 7


def test_extension_is_refused_before_the_window(filed, services):
    until = filed.get("/api/v1/enterprise").json["publicity_until"]
    response = filed.post("/api/v1/filings", json={"business": "publicity_extension"})
    assert response.status_code == 403
    opens_on = (date.fromisoformat(until) - timedelta(days=90)).isoformat()
    assert f"公示有效期至 {until}" in response.json["detail"] and f"{opens_on} 起" in response.json["detail"]


def test_extension_window_is_configurable(make_app, filed):
    wide = make_app(publicity_extension_window_days=400).test_client()
    response = wide.post("/api/v1/filings", json={"business": "publicity_extension"}, headers=filed.headers)
    assert response.status_code == 201, response.json


def test_extension_within_window_extends_publicity(filed, services, client):
    before = date.fromisoformat(filed.get("/api/v1/enterprise").json["publicity_until"])
    travel(services, 300)
    filing = open_business(filed, "publicity_extension")
    assert [s["key"] for s in filing["sections"]] == ["xinjiang_office"]

    refused = save(filed, filing, "xinjiang_office", OFFICE, expect=422)
    assert refused["detail"] == "驻疆机构里需要上传最新的驻疆场所证明材料，否则无法保存成功"
    assert "premises_proof" in refused["errors"]
    # The office filed with the first filing is the starting point; its premises proof must be new.
    office = filed.get(f"/api/v1/filings/{filing['id']}").json["sections"][0]
    assert office["values"]["office_name"] == f"{filed.name}新疆分公司" and not office["complete"]
    assert [a["kind"] for a in office["missing_attachments"]] == ["premises_proof"]

    upload(filed, filing["id"], "premises_proof", pdf_bytes(), "租赁合同.pdf")
    saved = save(filed, filing, "xinjiang_office", OFFICE)
    assert saved["sections"][0]["complete"]
    decided = sign_and_submit(filed, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]

    profile = filed.get("/api/v1/enterprise").json
    assert profile["publicity_until"] == (before + timedelta(days=365)).isoformat()
    assert profile["filed_record"]["xinjiang_office"]["office_name"] == OFFICE["office_name"]
    publicity = next(c for c in decided["record_changes"] if c["field"] == "publicity_until")
    assert publicity["before"] == before.isoformat() and publicity["after"] == profile["publicity_until"]
    assert any(c["field"] == "region" and c["after"] == "昌吉回族自治州" for c in decided["record_changes"])

    entry = client.get(f"/api/v1/public/enterprises/{filed.uscc}").json
    assert entry["publicity_until"] == profile["publicity_until"] and entry["publicity_status"] == "valid"
    assert entry["record"]["xinjiang_office"]["values"]["address"] == OFFICE["address"]
    assert "head_mobile" not in entry["record"]["xinjiang_office"]["values"]


def test_lapsed_enterprise_is_listed_as_lapsed_and_can_extend(filed, services, client):
    travel(services, 380)
    listed = client.get("/api/v1/public/enterprises", query_string={"uscc": filed.uscc}).json
    assert listed["total"] == 1
    assert listed["items"][0]["publicity_status"] == "lapsed"
    assert listed["items"][0]["publicity_status_label"] == "公示已过期"
    assert client.get("/api/v1/public/enterprises?publicity_status=valid").json["total"] == 0

    filing = open_business(filed, "publicity_extension")
    upload(filed, filing["id"], "premises_proof")
    save(filed, filing, "xinjiang_office", OFFICE)
    assert sign_and_submit(filed, filing["id"]).json["status"] == "approved"
    entry = client.get(f"/api/v1/public/enterprises/{filed.uscc}").json
    assert entry["publicity_status"] == "valid"
    assert entry["publicity_until"] == (services.today() + timedelta(days=365)).isoformat()


def test_extension_is_rejected_while_a_qualification_on_record_expired(filed, services):
    travel(services, 420)  # the first filing's qualifications run 400 days
    filing = open_business(filed, "publicity_extension")
    upload(filed, filing["id"], "premises_proof")
    save(filed, filing, "xinjiang_office", OFFICE)
    decided = sign_and_submit(filed, filing["id"]).json
    assert decided["status"] == "rejected"
    assert any("建筑工程施工总承包贰级" in r and "请先办理相应变更" in r for r in decided["reasons"])


# ---------------------------------------------------------------------------- business 8

PROJECT = {
    "project_name": "乌鲁木齐市第一中学教学楼全过程造价咨询",
    "region": "乌鲁木齐市",
    "address": "乌鲁木齐市天山区建设路 1 号",
    "client_name": "乌鲁木齐市第一中学",
    "contract_amount": "86.5",
    "contract_signed_on": "2025-03-01",
    "service_start": "2025-03-10",
    "service_end": "2026-12-31",
    "services": ["whole_process", "settlement"],
}


@pytest.fixture
def consulting(login_enterprise):
    return login_enterprise("浙江精算工程造价咨询有限公司")


def file_project(consulting, leader: int, responsible: int, project: dict, expect_created: int = 201) -> dict:
    filing = open_business(consulting, "cost_consulting_project", expect_created, enterprise_type="cost_consulting")
    sections = {s["key"]: s for s in filing["sections"]}
    if not sections["basic_info"]["complete"]:  # the first project; later ones start from the record
        save(consulting, filing, "basic_info", basic_info(consulting, xinjiang_office_address="新疆乌鲁木齐市"))
        save(
            consulting,
            filing,
            "responsible_person",
            {"person": responsible, "position": "经理", "mobile": "13912345678"},
        )
    save(consulting, filing, "project", {**project, "project_leader": leader, "project_leader_certificate": "Z1234"})
    upload(consulting, filing["id"], "consulting_contract", pdf_bytes(), "合同.pdf")
    return filing


def test_cost_consulting_project_is_filed_without_first_filing(consulting, make_person, client):
    leader = make_person("钱造价", employed_by=consulting.id)
    responsible = make_person("孙经理", employed_by=consulting.id, id_number=make_id_number())
    filing = open_business(consulting, "cost_consulting_project", enterprise_type="cost_consulting")
    assert [s["key"] for s in filing["sections"]] == ["basic_info", "responsible_person", "project"]
    assert not any(s["missing_attachments"] for s in filing["sections"][:2])

    bad_dates = {**PROJECT, "service_start": "2026-01-01", "service_end": "2025-01-01", "region": "西安市"}
    refused = save(consulting, filing, "project", bad_dates, expect=422)
    assert set(refused["errors"]) == {"region"}
    refused = save(
        consulting,
        filing,
        "project",
        {**PROJECT, "service_start": "2026-01-01", "service_end": "2025-01-01"},
        expect=422,
    )
    assert refused["errors"] == {"service_end": "服务结束日期不能早于服务开始日期"}

    filing = file_project(consulting, leader, responsible, PROJECT, expect_created=200)
    decided = sign_and_submit(consulting, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    assert any(c["section"] == "projects" and c["change"] == "added" for c in decided["record_changes"])

    profile = consulting.get("/api/v1/enterprise").json
    assert profile["filed"] and profile["enterprise_type"] == "cost_consulting"
    projects = profile["filed_record"]["projects"]
    assert len(projects) == 1 and projects[0]["project_name"] == PROJECT["project_name"]
    assert projects[0]["filing_reference"] == decided["reference"]

    entry = client.get(f"/api/v1/public/enterprises/{consulting.uscc}").json
    assert entry["enterprise_type_label"] == "造价咨询企业"
    published = entry["record"]["projects"]["items"]
    assert published[0]["project_name"] == PROJECT["project_name"]
    assert published[0]["project_leader"] == {"name": "钱造价"}
    assert published[0]["services"] == ["工程结算编制或审核", "全过程工程造价咨询"]
    assert "contract_amount" not in published[0]

    # The next project starts from the firm's record; only the project section is empty.
    second = open_business(consulting, "cost_consulting_project")
    sections = {s["key"]: s for s in second["sections"]}
    assert sections["basic_info"]["saved"] and sections["responsible_person"]["saved"]
    assert not sections["project"]["saved"]
    second = file_project(consulting, leader, responsible, {**PROJECT, "project_name": "喀什地区医院造价审核"}, 200)
    assert sign_and_submit(consulting, second["id"]).json["status"] == "approved"
    entry = client.get(f"/api/v1/public/enterprises/{consulting.uscc}").json
    assert [p["project_name"] for p in entry["record"]["projects"]["items"]] == [
        PROJECT["project_name"],
        "喀什地区医院造价审核",
    ]


def test_project_contract_scan_limits(consulting, make_person):
    filing = open_business(consulting, "cost_consulting_project", enterprise_type="cost_consulting")
    big = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
    too_big = upload(consulting, filing["id"], "consulting_contract", big, "合同.pdf", expect=413)
    assert too_big["detail"] == "工程造价咨询合同附件扫描件大小超过限制：单个文件不得超过 5 MB"
    upload(consulting, filing["id"], "consulting_contract", pdf_bytes(), "合同.pdf")
    second = upload(consulting, filing["id"], "consulting_contract", pdf_bytes(), "合同2.pdf", expect=409)
    assert second["detail"] == "工程造价咨询合同附件扫描件最多上传 1 个，请先删除已上传的文件"
    word = upload(consulting, filing["id"], "commitment_letter", b"PK\x03\x04 not a pdf", "承诺书.docx", expect=422)
    assert "PDF" in word["detail"]
    unknown = upload(consulting, filing["id"], "business_license", expect=422)
    assert "consulting_contract" in unknown["detail"]


def test_cost_consulting_letter_is_filled_from_the_project_filing(consulting, make_person):
    from io import BytesIO

    from pypdf import PdfReader

    responsible_id = make_id_number()
    responsible = make_person("孙经理", employed_by=consulting.id, id_number=responsible_id)
    filing = open_business(consulting, "cost_consulting_project", enterprise_type="cost_consulting")
    save(consulting, filing, "basic_info", basic_info(consulting))
    save(consulting, filing, "responsible_person", {"person": responsible})
    pdf = consulting.get(f"/api/v1/filings/{filing['id']}/commitment-letter").data
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf)).pages)
    assert "孙经理" in text and responsible_id in text and LEGAL_REP_ID in text


def test_construction_enterprise_cannot_file_a_consulting_project(filed, login_enterprise):
    response = filed.post("/api/v1/filings", json={"business": "cost_consulting_project"})
    assert response.status_code == 403
    assert response.json["detail"] == "“造价企业进疆承揽业务备案”不适用于施工企业"
    newcomer = login_enterprise("新疆外某建设有限公司")
    claimed = newcomer.post(
        "/api/v1/filings", json={"business": "cost_consulting_project", "enterprise_type": "construction"}
    )
    assert claimed.status_code == 403 and "不适用于施工企业" in claimed.json["detail"]


def test_cost_consulting_firm_cannot_use_enterprise_level_changes(consulting):
    for business in ("basic_info_change", "responsible_person_change", "publicity_extension"):
        response = consulting.post("/api/v1/filings", json={"business": business, "enterprise_type": "cost_consulting"})
        assert response.status_code == 403 and "不适用于造价咨询企业" in response.json["detail"]


def test_businesses_are_listed_with_the_seed_attachments(client):
    listed = {b["key"]: b for b in client.get("/api/v1/businesses").json}
    assert set(listed) >= {
        "first_filing",
        "basic_info_change",
        "responsible_person_change",
        "technical_person_change",
        "publicity_extension",
        "cost_consulting_project",
    }
    project = listed["cost_consulting_project"]
    assert [a["value"] for a in project["applies_to"]] == ["cost_consulting"]
    assert project["requires_filed_enterprise"] is False
    kinds = [k for s in project["sections"] for k in s["attachments"]] + project["submission_attachments"]
    assert [(k["label"], k["formats"], k["max_count"], k["max_bytes"], k["required"]) for k in kinds] == [
        ("工程造价咨询合同附件扫描件", "PDF 文档、JPEG 图片、PNG 图片", 1, 5 * 1024 * 1024, True),
        ("企业诚信守法承诺书（签字盖章版）", "PDF 文档", 1, 5 * 1024 * 1024, True),
    ]
    office = listed["publicity_extension"]["sections"][0]
    assert office["label"] == "驻疆机构" and office["save_requires"] == ["premises_proof"]
    region = next(f for f in office["fields"] if f["key"] == "region")
    assert {"value": "喀什地区", "label": "喀什地区"} in region["options"]


# ---------------------------------------------------------------------------- public register


def test_public_register_search(filed, login_enterprise, make_person, client):
    other = login_enterprise("江苏华设监理咨询有限公司")
    person = make_person("陈监理", employed_by=other.id)
    filing = complete_first_filing(
        other, person, person, enterprise_type="supervision", legal_representative_id_number=make_id_number()
    )
    decided = sign_and_submit(other, filing["id"]).json
    assert decided["status"] == "approved", decided["reasons"]
    login_enterprise("未报送企业有限公司")  # logged in, never filed: not in the register

    everything = client.get("/api/v1/public/enterprises").json
    assert everything["total"] == 2
    by_name = client.get("/api/v1/public/enterprises", query_string={"q": "华设"}).json
    assert [i["uscc"] for i in by_name["items"]] == [other.uscc]
    by_uscc = client.get("/api/v1/public/enterprises", query_string={"uscc": filed.uscc.lower()}).json
    assert [i["name"] for i in by_uscc["items"]] == [filed.name]
    by_type = client.get("/api/v1/public/enterprises?enterprise_type=supervision").json
    assert [i["enterprise_type_label"] for i in by_type["items"]] == ["监理企业"]
    by_qualification = client.get("/api/v1/public/enterprises", query_string={"qualification": "施工总承包"}).json
    assert [i["uscc"] for i in by_qualification["items"]] == [filed.uscc]
    none = client.get("/api/v1/public/enterprises", query_string={"q": "%"}).json
    assert none["total"] == 0
    paged = client.get("/api/v1/public/enterprises?page_size=1&page=2").json
    assert paged["pages"] == 2 and len(paged["items"]) == 1

    entry = by_qualification["items"][0]
    qualifications = entry["record"]["qualifications"]["values"]["qualifications"]
    assert qualifications[0]["name"] == "建筑工程施工总承包贰级" and qualifications[0]["expired"] is False
    assert entry["record"]["responsible_person"]["values"]["person"] == {"name": "张建国"}
    assert entry["publicity_status"] == "valid" and entry["publicity_status_label"] == "公示中"
    text = client.get("/api/v1/public/enterprises").get_data(as_text=True)
    assert LEGAL_REP_ID not in text and "legal_representative" not in text and "id_number" not in text


def test_public_register_refuses_bad_queries_clearly(client):
    bad_type = client.get("/api/v1/public/enterprises?enterprise_type=bank")
    assert bad_type.status_code == 422 and "enterprise_type" in bad_type.json["errors"]
    assert client.get("/api/v1/public/enterprises?page=0").status_code == 422
    assert client.get("/api/v1/public/enterprises?publicity_status=soon").status_code == 422
    missing = client.get("/api/v1/public/enterprises/91350100M00000000X")
    assert missing.status_code == 404 and missing.json["detail"] == "未找到该企业的公示信息"


def test_public_register_queries_are_rate_limited_per_address(make_app):
    client = make_app(public_queries_per_minute=2).test_client()
    statuses = [client.get("/api/v1/public/enterprises").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "操作过于频繁" in client.get("/api/v1/public/enterprises/91350100M000100Y43").json["detail"]
