"""The fields of a real filing through the API: what each enterprise type is asked, the derived 资质类别,
the 驻疆机构's area as clerks write it."""

from __future__ import annotations

from tests.api.flows import open_first_filing, qualifications, safety_licence, save, upload, xinjiang_office
from tests.factories import pdf_bytes


def _section(view, key):
    return next(s for s in view["sections"] if s["key"] == key)


def test_a_supervision_firm_is_neither_asked_nor_allowed_a_safety_licence(enterprise):
    filing = open_first_filing(enterprise, "supervision")
    rows = qualifications(enterprise_type="supervision")
    view = save(enterprise, filing, "qualifications", rows)
    assert _section(view, "qualifications")["missing_fields"] == []
    assert _section(view, "qualifications")["missing_attachments"][0]["kind"] == "qualification_certificates"
    refused = save(enterprise, filing, "qualifications", rows | safety_licence(), expect=422)
    assert set(refused["errors"]) == set(safety_licence())
    upload(enterprise, filing["id"], "safety_license_scan", pdf_bytes(), "安许证.pdf", expect=422)


def test_a_builder_is_told_its_safety_licence_is_missing(enterprise):
    filing = open_first_filing(enterprise)
    view = save(enterprise, filing, "qualifications", {"qualifications": qualifications()["qualifications"]})
    section = _section(view, "qualifications")
    assert [m["label"] for m in section["missing_fields"]] == [
        "安全生产许可证编号",
        "安全生产许可证发证日期",
        "安全生产许可证有效期至",
        "安全生产许可证发证机关",
    ]
    assert {a["kind"] for a in section["missing_attachments"]} == {"qualification_certificates", "safety_license_scan"}


def test_the_category_is_filled_on_save_and_a_contradicting_one_is_refused(enterprise):
    filing = open_first_filing(enterprise)
    rows = qualifications()["qualifications"]
    view = save(enterprise, filing, "qualifications", {"qualifications": rows})
    assert [r["category"] for r in _section(view, "qualifications")["values"]["qualifications"]] == [
        "general_contracting",
        "general_contracting",
    ]
    wrong = [rows[0] | {"category": "design"}]
    refused = save(enterprise, filing, "qualifications", {"qualifications": wrong}, expect=422)
    assert "按资质目录应为“施工总承包”" in refused["errors"]["qualifications[0].category"]


def test_the_office_area_is_read_as_written_and_refused_when_it_is_not_one(enterprise):
    filing = open_first_filing(enterprise)
    refused = save(enterprise, filing, "xinjiang_office", xinjiang_office(enterprise), expect=422)
    assert "premises_proof" in refused["errors"]  # the premises proof comes first, as in business 7
    upload(enterprise, filing["id"], "premises_proof", pdf_bytes(), "房产证.pdf")
    view = save(enterprise, filing, "xinjiang_office", xinjiang_office(enterprise, office_area="1,260.5㎡"))
    assert _section(view, "xinjiang_office")["values"]["office_area"] == "1260.50"
    assert _section(view, "xinjiang_office")["complete"]
    refused = save(enterprise, filing, "xinjiang_office", {"office_area": "很大"}, expect=422)
    assert "平方米" in refused["errors"]["office_area"]
