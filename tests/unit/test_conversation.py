"""The conversation's understanding, on declarations alone: no database, no HTTP."""

from __future__ import annotations

from datetime import date

from entryfiling.domain.businesses import FIRST_FILING as DECLARED_FIRST_FILING
from entryfiling.domain.businesses import PUBLICITY_EXTENSION
from entryfiling.domain.conversation import Context, State, converse, next_question
from entryfiling.domain.guided import Choice

CTX = Context(persons=(Choice(1, "张建国"), Choice(2, "刘工")), today=date(2026, 1, 1), enterprise_type="survey")
# The first filing as a survey firm files it (no 安全生产许可证), as the use cases hand it over.
FIRST_FILING = DECLARED_FIRST_FILING.for_enterprise_type("survey")
ROW = {
    "name": "工程勘察综合资质甲级",
    "certificate_number": "K1",
    "valid_until": "2030-01-01",
    "issued_on": "2020-01-01",
    "status": "valid",
}


def talk(text, sections=None, state=None, business=FIRST_FILING):
    turn, state = converse(business, sections or {}, {}, state or State(confirmed=True), text, CTX)
    return turn, state


def test_a_sentence_fills_every_field_it_names_whatever_the_order():
    turn, _ = talk("注册资本5000万元，2003年6月1日成立，法人李德拓")
    assert turn.sections["basic_info"] == {
        "registered_capital": "5000.00",
        "established_on": "2003-06-01",
        "legal_representative_name": "李德拓",
    }
    assert [r.said for r in turn.recorded] == ["5,000 万元", "2003年6月1日", "李德拓"]


def test_a_shared_name_goes_to_the_section_just_talked_about():
    turn, _ = talk("技术负责人刘工，手机13812345678")
    assert turn.sections["technical_person"] == {"person": 2, "mobile": "13812345678"}
    assert "responsible_person" not in turn.sections


def test_a_row_named_by_its_number_is_corrected():
    sections = {"qualifications": {"qualifications": [dict(ROW), dict(ROW, certificate_number="K2")]}}
    turn, _ = talk("把第二条资质的证书编号改成K9", sections)
    assert [r["certificate_number"] for r in turn.sections["qualifications"]["qualifications"]] == ["K1", "K9"]
    assert turn.recorded[0].corrected


def test_chatter_beside_named_fields_is_not_understood_and_an_expired_date_is_refused():
    turn, _ = talk("注册资本5000万，今天天气不错")
    assert turn.unknown == ["今天天气不错"]
    turn, _ = talk("资质工程勘察综合资质甲级，有效期至2025年1月1日")
    # The catalogue may refuse the name too; the expired date is refused whatever else is.
    assert any(path.endswith("证书有效期") and "过期" in reason for path, reason in turn.refused)


def test_questions_follow_the_declaration_with_rows_and_optional_fields_once():
    prefilled = Context(prefilled=("basic_info.enterprise_name",), enterprise_type="survey")
    assert next_question(FIRST_FILING, {}, {}, State(), prefilled).kind == "confirm"
    basic = {
        "enterprise_name": "甲",
        "uscc": "91350100M000100Y43",
        "registered_province": "安徽省",
        "registered_address": "合肥",
        "registered_capital": "1.00",
        "established_on": "2003-06-01",
        "legal_representative_name": "李",
        "legal_representative_id_number": "11010519491231002X",
        "contact_name": "王",
        "contact_phone": "13912345678",
        "xinjiang_office_address": "乌鲁木齐",
    }
    asked = next_question(FIRST_FILING, {"basic_info": basic}, {}, State(), CTX)
    assert asked.kind == "optional" and asked.target.field.key == "legal_representative_mobile"
    skipped = State(offered=["basic_info.legal_representative_mobile", "basic_info.email", "basic_info.business_scope"])
    asked = next_question(FIRST_FILING, {"basic_info": basic}, {}, skipped, CTX)
    assert asked.target.path == "qualifications.qualifications[0].name"
    assert "工程勘察综合资质甲级" in asked.text  # a survey firm's example
    with_row = {"basic_info": basic, "qualifications": {"qualifications": [ROW]}}
    assert next_question(FIRST_FILING, with_row, {}, skipped, CTX).kind == "more_rows"
    _, more = talk("有", with_row, skipped)
    assert next_question(FIRST_FILING, with_row, {}, more, CTX).target.path == "qualifications.qualifications[1].name"


def test_a_builder_tells_its_safety_licence_and_a_survey_firm_has_none_to_tell():
    builder = DECLARED_FIRST_FILING.for_enterprise_type("construction")
    turn, _ = talk("安全生产许可证编号(新)JZ安许证字[2020]000123，安全生产许可证有效期至2029年1月1日", business=builder)
    assert turn.sections["qualifications"] == {
        "safety_license_number": "(新)JZ安许证字[2020]000123",
        "safety_license_valid_until": "2029-01-01",
    }
    survey, _ = talk("安全生产许可证编号(新)JZ安许证字[2020]000123")
    assert "safety_license_number" not in survey.sections.get("qualifications", {})


def test_a_section_that_needs_an_upload_first_asks_for_it_first():
    asked = next_question(PUBLICITY_EXTENSION, {}, {}, State(confirmed=True), CTX)
    assert asked.kind == "attachment" and asked.attachment == "premises_proof"
