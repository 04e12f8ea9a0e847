"""The fields of a real filing, in the domain alone: per-type requiredness, the derived 资质类别, the
驻疆机构's area, and the 安全生产许可证's rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain import plausibility as p
from entryfiling.domain.businesses import BUSINESSES, FIRST_FILING, QUALIFICATION_CHANGE, EnterpriseType
from entryfiling.domain.fields import (
    Field,
    FieldType,
    clean_scalar,
    clean_section_values,
    missing_attachments,
    missing_fields,
    section_status,
)
from entryfiling.domain.guided import items
from entryfiling.domain.rules import ApprovalContext
from entryfiling.domain.validators import InvalidValue
from entryfiling.domain.values import parse_area

LICENCE_KEYS = {
    "safety_license_number",
    "safety_license_issued_on",
    "safety_license_valid_until",
    "safety_license_issuer",
}
TODAY = date(2026, 12, 1)


def _qualifications(enterprise_type: str, business=FIRST_FILING):
    section = business.for_enterprise_type(enterprise_type).section("qualifications")
    assert section is not None
    return section


def test_a_construction_enterprise_must_file_its_safety_licence_and_its_scan():
    section = _qualifications(EnterpriseType.CONSTRUCTION)
    assert {f.key for f in section.fields if f.required} >= LICENCE_KEYS
    assert {m.path for m in missing_fields(section, {})} >= LICENCE_KEYS
    assert [m.kind for m in missing_attachments(section.attachments, {"qualification_certificates": 1})] == [
        "safety_license_scan"
    ]


@pytest.mark.parametrize("enterprise_type", ["supervision", "survey", "design", "quality_testing"])
def test_other_enterprise_types_have_no_safety_licence(enterprise_type):
    section = _qualifications(enterprise_type)
    assert not LICENCE_KEYS & {f.key for f in section.fields}
    assert "safety_license_scan" not in {k.key for k in section.attachments}
    assert "safety_license_number" in clean_section_values(section, {"safety_license_number": "x"}).errors


def test_the_guided_flow_asks_the_licence_of_a_builder_only():
    asked = {
        t: {i.path for i in items(FIRST_FILING.for_enterprise_type(t), {}, {})} for t in ("construction", "design")
    }
    assert "qualifications.safety_license_valid_until" in asked["construction"]
    assert "qualifications.attachment:safety_license_scan" in asked["construction"]
    assert not any("safety_license" in path for path in asked["design"])
    assert "xinjiang_office.office_area" in asked["design"]


def test_the_qualification_change_of_a_builder_asks_the_licence_but_not_a_new_scan():
    section = _qualifications("construction", QUALIFICATION_CHANGE)
    assert {f.key for f in section.fields if f.required} >= LICENCE_KEYS
    assert not missing_attachments(section.attachments, {})


def test_the_category_of_a_qualification_is_derived_from_its_name():
    section = _qualifications("construction")
    row = {"name": "建筑工程施工总承包贰级", "certificate_number": "D234023425", "status": "有效"}
    cleaned = clean_section_values(section, {"qualifications": [row, {"name": "工程监理综合资质"}]})
    assert cleaned.errors == {}
    rows = cleaned.values["qualifications"]
    assert [r["category"] for r in rows] == ["general_contracting", "supervision"]
    assert rows[0]["status"] == "valid"


def test_a_typed_category_that_contradicts_the_name_is_refused_with_the_right_one():
    section = _qualifications("construction")
    cleaned = clean_section_values(
        section, {"qualifications": [{"name": "钢结构工程专业承包贰级", "category": "监理"}]}
    )
    assert "专业承包" in cleaned.errors["qualifications[0].category"]
    agreed = clean_section_values(
        section, {"qualifications": [{"name": "钢结构工程专业承包贰级", "category": "专业承包"}]}
    )
    assert agreed.errors == {}


@given(
    st.decimals(min_value=0, max_value=99999, places=2), st.sampled_from(["", "平方米", "㎡", "m²", "平米", " 平方米"])
)
def test_an_area_reads_as_clerks_write_it(area, unit):
    assert parse_area(f"{area}{unit}") == area


@pytest.mark.parametrize("text", ["一百二十平方米", "120平米", "120 ㎡", "120"])
def test_an_area_in_words_or_with_its_unit(text):
    assert parse_area(text) == Decimal("120.00")


@pytest.mark.parametrize("text", ["-5", "很大", "120亩"])
def test_an_area_that_is_not_one_is_refused(text):
    with pytest.raises(InvalidValue):
        parse_area(text)


BRACKETS = [("(", ")"), ("（", "）"), ("〔", "〕"), ("［", "］"), ("[", "]"), ("【", "】")]


@given(
    st.sampled_from(list(p.PROVINCE_ABBREVIATIONS)),
    st.sampled_from(BRACKETS),
    st.sampled_from(BRACKETS),
    st.integers(min_value=1990, max_value=2099),
    st.integers(min_value=0, max_value=999999).map(lambda n: f"{n:06d}"),
)
def test_a_safety_licence_number_in_any_usual_bracket_is_accepted(province, around_province, around_year, year, serial):
    number = (
        f"{around_province[0]}{province}{around_province[1]}JZ安许证字{around_year[0]}{year}{around_year[1]}{serial}"
    )
    assert p.SAFETY_LICENCE_NUMBER.fullmatch(p._fold(number))


@pytest.mark.parametrize(
    "number",
    [
        "安许证2020-123",
        "(美)JZ安许证字[2020]000123",
        "(新)JZ安许证[2020]000123",
        "(新)JZ安许证字[20]000123",
        "(新)JZ安许证字[2020]12",
    ],
)
def test_a_safety_licence_number_out_of_format_is_refused(number):
    assert not p.SAFETY_LICENCE_NUMBER.fullmatch(p._fold(number))


def _context(qualifications: dict, office: dict | None = None) -> ApprovalContext:
    business = FIRST_FILING.for_enterprise_type("construction")
    sections = {"qualifications": qualifications, "xinjiang_office": office or {}}
    return ApprovalContext(business, 1, "U", "U", sections, {}, {}, TODAY)


def _licence(issued: str, until: str) -> dict:
    return {"safety_license_issued_on": issued, "safety_license_valid_until": until}


def test_a_licence_runs_three_years_from_issue():
    assert p.licence_validity_length(_context(_licence("2024-03-01", "2027-02-28"))) == []
    assert p.licence_validity_length(_context(_licence("2024-03-01", "2027-03-31"))) == []  # a month's slack
    assert "超过 3 年" in p.licence_validity_length(_context(_licence("2024-03-01", "2028-03-01")))[0]


def test_a_licence_issued_after_today_or_after_its_expiry_is_implausible():
    assert "晚于提交日" in p.licence_issued_not_future(_context(_licence("2026-12-02", "2029-12-01")))[0]
    assert p.licence_issued_not_future(_context(_licence("2026-12-01", "2029-11-30"))) == []
    assert "早于发证日期" in p.licence_valid_after_issue(_context(_licence("2026-01-02", "2026-01-01")))[0]


@pytest.mark.parametrize(
    ("area", "plausible"), [("0.00", False), ("4.99", False), ("5.00", True), ("50000.00", True), ("50000.01", False)]
)
def test_the_office_area_is_bounded(area, plausible):
    assert (p.office_area_in_bounds(_context({}, {"office_area": area})) == []) is plausible


@pytest.mark.parametrize(
    ("status", "approved"), [("valid", True), ("suspended", False), ("withdrawn", False), ("cancelled", False)]
)
def test_only_a_valid_qualification_may_be_approved(status, approved):
    ctx = _context({"qualifications": [{"name": "建筑工程施工总承包贰级", "status": status}]})
    assert (p.qualifications_status_valid(ctx) == []) is approved


def test_an_unsaved_section_lacks_every_required_field_as_worked_out_afresh():
    """``Section.missing_when_empty`` (worked out once per section) is what ``missing_fields`` finds
    in an empty section, for every section of every business as each type of enterprise files it."""
    for business in BUSINESSES.values():
        for enterprise_type in EnterpriseType:
            for section in business.for_enterprise_type(enterprise_type).sections:
                keys = [f.key for f in section.fields]
                assert len(keys) == len(set(keys)) and all(section.field(key).key == key for key in keys)
                for values in (None, {}):
                    status = section_status(section, values, {}, TODAY)
                    assert status.missing_fields == tuple(missing_fields(section, {}))
                    assert status.warnings == ()
                    assert status.saved is (values is not None)


@given(st.text(max_size=30))
def test_text_is_refused_for_a_control_character_other_than_a_line_feed_or_a_tab(text):
    declared = Field(key="note", label="备注", type=FieldType.TEXTAREA)
    stripped = text.strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in stripped):
        with pytest.raises(InvalidValue):
            clean_scalar(declared, text)
    elif len(stripped) <= 2000:
        assert clean_scalar(declared, text) == stripped
