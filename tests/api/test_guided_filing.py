"""Step-by-step filing: next item, free-text answers in Chinese, back; any business from its declaration."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entryfiling.domain import businesses
from entryfiling.domain.businesses import EnterpriseType
from entryfiling.domain.fields import AttachmentKind, Field, FieldType, Option, Section
from tests.api.flows import REAL_FILING_ANSWERS, open_first_filing, registry_agrees, sign_and_submit, skip_or, upload
from tests.factories import pdf_bytes

FREE_TEXT = {
    "enterprise_name": None,  # filled per enterprise
    "uscc": None,
    "registered_province": "安徽",
    "registered_address": "安徽省合肥市高新区创新大道100号",
    "registered_capital": "5000万元",
    "established_on": "2008年5月20日",
    "legal_representative_name": "李德拓",
    "legal_representative_id_number": "11010519750109002x",
    "contact_name": "王小明",
    "contact_phone": "0551-65551234",
    "xinjiang_office_address": "新疆乌鲁木齐市天山区解放北路8号",
    "name": "建筑工程施工总承包贰级",
    "certificate_number": "D234023425",
    "valid_until": "2030.12.31",
    "issued_on": "2026年1月10日",
    "position": "进疆负责人",
    "mobile": "139 1234 5678",
    "professional_title": "2",
    "title_certificate_number": "GC2019-001",
    "title_specialty": "建筑工程",
    "years_in_field": "15",
    "registered_certificate_type": "一级注册建造师",
    "registered_certificate_number": "皖1342010201812345",
    "registered_specialty": "建筑工程",
} | REAL_FILING_ANSWERS


def _answer(enterprise, filing_id, path, value):
    etag = enterprise.get(f"/api/v1/filings/{filing_id}/next").headers["ETag"]
    return enterprise.post(
        f"/api/v1/filings/{filing_id}/answers", json={"field": path, "value": value}, headers={"If-Match": etag}
    )


def _walk(enterprise, filing_id, answers, limit=60):
    """Answer whatever the server asks until it says the filing is ready."""
    asked = []
    for _ in range(limit):
        view = enterprise.get(f"/api/v1/filings/{filing_id}/next").json
        if view["status"] == "ready":
            return view, asked
        step = view["step"]
        asked.append(step["path"])
        if step["type"] == "attachment":
            upload(enterprise, filing_id, step["attachment"]["kind"], pdf_bytes(), "scan.pdf")
            continue
        response = _answer(enterprise, filing_id, step["path"], skip_or(step, answers))
        assert response.status_code == 200, response.json
    raise AssertionError(f"not ready after {limit} steps: {asked[-5:]}")


def test_first_filing_completed_by_free_text_answers(enterprise, make_person):
    registry_agrees(enterprise, make_person("张建国", employed_by=enterprise.id))
    make_person("刘工", employed_by=enterprise.id)
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    first = enterprise.get(f"/api/v1/filings/{fid}/next").json
    # The enterprise name and USCC come from the CA certificate: the first question is the next one.
    assert first["status"] == "ask" and first["step"]["path"] == "basic_info.registered_province"
    assert first["progress"]["done"] == 2 and first["progress"]["total"] > 20

    wrong = _answer(enterprise, fid, "basic_info.established_on", "2021年2月30日")
    assert wrong.status_code == 422
    assert wrong.json["step"]["path"] == "basic_info.established_on"
    assert "2025年3月1日" in wrong.json["detail"]

    answers = FREE_TEXT | {"enterprise_name": enterprise.name, "uscc": enterprise.uscc.lower()}
    answers["person"] = "张建国"
    view, asked = _walk(enterprise, fid, {**answers})
    assert "responsible_person.attachment:responsible_person_appointment" in asked
    assert view["progress"]["done"] == view["progress"]["total"]
    assert view["submission"]["agreement"]["type"] == "confirmation"

    detail = enterprise.get(f"/api/v1/filings/{fid}").json
    basic = detail["sections"][0]["values"]
    assert basic["registered_province"] == "安徽省"
    assert basic["registered_capital"] == "5000.00"
    assert basic["established_on"] == "2008-05-20"
    assert detail["sections"][2]["values"]["person"]["name"] == "张建国"
    assert detail["sections"][3]["values"]["professional_title"] == "senior"
    decided = sign_and_submit(enterprise, fid).json
    assert decided["status"] == "approved", decided["reasons"]


def test_two_persons_of_one_name_must_be_picked(enterprise, make_person):
    first = make_person("王芳", employed_by=enterprise.id)
    make_person("王芳", employed_by=enterprise.id)
    filing = open_first_filing(enterprise)
    response = _answer(enterprise, filing["id"], "responsible_person.person", "王芳")
    assert response.status_code == 422 and len(response.json["choices"]) == 2
    assert "2 位名叫王芳" in response.json["detail"]
    chosen = _answer(enterprise, filing["id"], "responsible_person.person", str(first))
    assert chosen.status_code == 200
    unknown = _answer(enterprise, filing["id"], "responsible_person.person", "查无此人")
    assert unknown.status_code == 422 and "没有找到" in unknown.json["detail"]


def test_amounts_dates_and_choices_are_understood(enterprise):
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    for said, stored in (("1.2亿", "12000.00"), ("3500万", "3500.00"), ("500000元", "50.00"), ("88", "88.00")):
        assert _answer(enterprise, fid, "basic_info.registered_capital", said).status_code == 200
        assert enterprise.get(f"/api/v1/filings/{fid}").json["sections"][0]["values"]["registered_capital"] == stored
    for said in ("2025-03-01", "2025年3月1日", "2025.3.1", "2025/3/1", "20250301"):
        assert _answer(enterprise, fid, "basic_info.established_on", said).status_code == 200
        assert enterprise.get(f"/api/v1/filings/{fid}").json["sections"][0]["values"]["established_on"] == "2025-03-01"
    assert _answer(enterprise, fid, "basic_info.registered_province", "北京").status_code == 200
    bad = _answer(enterprise, fid, "basic_info.registered_province", "火星")
    assert bad.status_code == 422 and "回复序号或名称" in bad.json["detail"]


def test_back_returns_to_the_previous_item(enterprise):
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    _answer(enterprise, fid, "basic_info.registered_province", "安徽")
    back = enterprise.post(f"/api/v1/filings/{fid}/back").json  # no body: back from the next missing item
    assert back["step"]["path"] == "basic_info.registered_province" and back["status"] == "review"
    assert back["step"]["current"] == "安徽省"
    before = enterprise.post(f"/api/v1/filings/{fid}/back", json={"from": "basic_info.registered_province"}).json
    assert before["step"]["path"] == "basic_info.uscc"
    assert enterprise.post(f"/api/v1/filings/{fid}/back", json={"from": "nope.nothing"}).status_code == 422


def test_answers_keep_web_and_phone_consistent(enterprise):
    filing = open_first_filing(enterprise)
    fid = filing["id"]
    stale = enterprise.get(f"/api/v1/filings/{fid}/next").headers["ETag"]
    assert _answer(enterprise, fid, "basic_info.contact_name", "甲").status_code == 200
    conflict = enterprise.post(
        f"/api/v1/filings/{fid}/answers",
        json={"field": "basic_info.contact_name", "value": "乙"},
        headers={"If-Match": stale},
    )
    assert conflict.status_code == 412


def test_a_business_declared_only_here_gets_the_guided_flow(enterprise, monkeypatch):
    small = replace(
        businesses.FIRST_FILING,
        key="tiny_test_business",
        label="测试业务",
        sections=(
            Section(
                "only",
                "唯一栏目",
                (
                    Field("when", "日期", FieldType.DATE, required=True),
                    Field(
                        "size",
                        "规模",
                        FieldType.ENUM,
                        required=True,
                        options=(Option("s", "小"), Option("l", "大")),
                    ),
                ),
                attachments=(AttachmentKind("photo", "照片"),),
            ),
        ),
        applies_to=frozenset({EnterpriseType.CONSTRUCTION}),
    )
    monkeypatch.setitem(businesses.BUSINESSES, small.key, small)
    filing = enterprise.post("/api/v1/filings", json={"business": small.key, "enterprise_type": "construction"}).json
    view, asked = _walk(enterprise, filing["id"], {"when": "2026年1月2日", "size": "大"})
    assert asked == ["only.when", "only.size", "only.attachment:photo"]
    assert view["status"] == "ready"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(
        [
            "basic_info.enterprise_name",
            "basic_info.uscc",
            "basic_info.registered_province",
            "basic_info.registered_capital",
            "basic_info.established_on",
            "basic_info.legal_representative_id_number",
            "basic_info.contact_phone",
            "basic_info.email",
            "qualifications.qualifications[0].valid_until",
            "qualifications.qualifications[3].name",
            "responsible_person.person",
            "technical_person.professional_title",
            "basic_info.attachment:business_license",
            "nowhere.field",
            "basic_info",
            "",
        ]
    ),
    value=st.text(max_size=40) | st.none() | st.integers() | st.lists(st.text(max_size=5), max_size=3),
)
def test_any_answer_gets_a_clear_answer(enterprise, path, value):
    filing = _FILINGS.setdefault(enterprise.token, open_first_filing(enterprise)["id"])
    response = enterprise.post(
        f"/api/v1/filings/{filing}/answers", json={"field": path, "value": value}, headers={"If-Match": "*"}
    )
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert response.json["detail"]


_FILINGS: dict[str, int] = {}


def test_cost_consulting_project_completed_by_free_text_answers(login_enterprise, make_person):
    firm = login_enterprise("浙江中衡工程造价咨询有限公司")
    make_person("陈造价", employed_by=firm.id)
    opened = firm.post(
        "/api/v1/filings", json={"business": "cost_consulting_project", "enterprise_type": "cost_consulting"}
    )
    assert opened.status_code == 201, opened.json
    answers = FREE_TEXT | {
        "enterprise_name": firm.name,
        "uscc": firm.uscc,
        "person": "陈造价",
        "project_name": "乌鲁木齐轨道交通3号线造价咨询",
        "region": "乌鲁木齐",
        "address": "乌鲁木齐市新市区",
        "client_name": "乌鲁木齐城市轨道集团有限公司",
        "contract_amount": "1.2亿",
        "contract_signed_on": "2026年3月1日",
        "service_start": "2026.3.10",
        "service_end": "2027年3月9日",
        "services": "1、5",
        "project_leader": "陈造价",
        "project_leader_certificate": "建[造]1234567890",
    }
    view, asked = _walk(firm, opened.json["id"], answers)
    assert view["status"] == "ready"
    assert [p for p in asked if "attachment:" in p] == ["project.attachment:consulting_contract"]
    project = next(
        s for s in firm.get(f"/api/v1/filings/{opened.json['id']}").json["sections"] if s["key"] == "project"
    )
    assert project["values"]["services"] == ["investment_estimate", "settlement"]
    assert project["values"]["contract_amount"] == "12000.00"
    assert project["values"]["region"] == "乌鲁木齐市"
    decided = sign_and_submit(firm, opened.json["id"]).json
    assert decided["status"] == "approved", decided["reasons"]


def test_an_expired_date_is_refused_at_the_question(enterprise):
    fid = open_first_filing(enterprise)["id"]
    refused = _answer(enterprise, fid, "qualifications.qualifications[0].valid_until", "2020年1月1日")
    assert refused.status_code == 422
    assert "已于 2020年1月1日 过期" in refused.json["detail"]
    assert _answer(enterprise, fid, "qualifications.qualifications[0].valid_until", "2099年1月1日").status_code == 200


def test_examples_fit_the_enterprise_type(enterprise):
    fid = open_first_filing(enterprise, "supervision")["id"]
    step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
    for _ in range(20):
        if step["path"] == "qualifications.qualifications[0].name":
            break
        value = "跳过" if step.get("required") is False else FREE_TEXT.get(step["path"].rsplit(".", 1)[-1]) or "x"
        _answer(enterprise, fid, step["path"], value)
        step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
        if step["type"] == "attachment":
            upload(enterprise, fid, step["attachment"]["kind"], pdf_bytes(), "scan.pdf")
            step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
    assert step["path"] == "qualifications.qualifications[0].name"
    assert step["example"] == "房屋建筑工程监理甲级"


def test_rows_one_by_one_and_optional_fields_offered_once(enterprise):
    fid = open_first_filing(enterprise)["id"]
    rows = {
        "name": "建筑工程施工总承包贰级",
        "certificate_number": "D1",
        "valid_until": "2099-01-01",
        "issued_on": "2020-01-01",
        "status": "有效",
    }
    for key, value in rows.items():
        assert _answer(enterprise, fid, f"qualifications.qualifications[0].{key}", value).status_code == 200
    for path, value in FREE_TEXT.items():
        if value and enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]["section"] == "basic_info":
            _answer(enterprise, fid, f"basic_info.{path}", value)
    step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
    while step["type"] == "attachment":
        upload(enterprise, fid, step["attachment"]["kind"], pdf_bytes(), "scan.pdf")
        step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
    assert step["path"] == "basic_info.legal_representative_mobile" and step["prompt"].endswith("（可跳过）")
    step = _answer(enterprise, fid, step["path"], "跳过").json["step"]
    assert step["path"] == "basic_info.email"
    step = _answer(enterprise, fid, "basic_info.email", "跳过").json["step"]
    step = _answer(enterprise, fid, "basic_info.business_scope", "跳过").json["step"]
    assert step["section"] == "qualifications"
    # A construction enterprise's 安全生产许可证 is required: asked before more rows are offered.
    while step["path"].startswith("qualifications.safety_license_"):
        step = _answer(enterprise, fid, step["path"], REAL_FILING_ANSWERS[step["path"].split(".")[1]]).json["step"]
    while step["type"] == "attachment":
        upload(enterprise, fid, step["attachment"]["kind"], pdf_bytes(), "scan.pdf")
        step = enterprise.get(f"/api/v1/filings/{fid}/next").json["step"]
    assert step["type"] == "yes_no" and step["prompt"].startswith("还有其他资质吗？")
    step = _answer(enterprise, fid, step["path"], "有").json["step"]
    assert step["path"] == "qualifications.qualifications[1].name"
    for key, value in (rows | {"name": "市政公用工程施工总承包叁级", "certificate_number": "D2"}).items():
        step = _answer(enterprise, fid, f"qualifications.qualifications[1].{key}", value).json["step"]
    assert step["type"] == "yes_no"
    step = _answer(enterprise, fid, step["path"], "没有了").json["step"]
    assert step["section"] == "responsible_person"


def test_an_unknown_qualification_is_refused_at_the_question_with_suggestions(enterprise):
    filing = open_first_filing(enterprise)
    refused = _answer(enterprise, filing["id"], "qualifications.qualifications[0].name", "建筑施工总承包二级")
    assert refused.status_code == 422
    assert refused.json["step"]["path"] == "qualifications.qualifications[0].name"
    assert "建筑工程施工总承包乙级" in refused.json["detail"]
    accepted = _answer(enterprise, filing["id"], "qualifications.qualifications[0].name", "建筑工程施工总承包贰级")
    assert accepted.status_code == 200, accepted.json


def test_another_enterprises_draft_is_not_found_for_the_guided_flow(enterprise, login_enterprise):
    fid = open_first_filing(enterprise)["id"]
    etag = enterprise.get(f"/api/v1/filings/{fid}/next").headers["ETag"]
    other = login_enterprise("新疆另一家建设工程有限公司")
    assert other.get(f"/api/v1/filings/{fid}/next").status_code == 404
    answered = other.post(
        f"/api/v1/filings/{fid}/answers",
        json={"field": "basic_info.registered_capital", "value": "1.2亿"},
        headers={"If-Match": etag},
    )
    assert answered.status_code == 404 and answered.json["detail"], answered.json
    # Nothing was saved: the owner's draft still has the ETag it had.
    assert enterprise.get(f"/api/v1/filings/{fid}/next").headers["ETag"] == etag
