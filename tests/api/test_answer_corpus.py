"""The clerk's corpus through both HTTP paths: a section save and a step-by-step answer understand it alike."""

from __future__ import annotations

import pytest

from tests.api.flows import current_etag, open_first_filing
from tests.corpus.answers import ANSWER_ONLY, PERSONS, SECTION_ANSWERS


def _stored(enterprise, filing_id, section, field):
    view = enterprise.get(f"/api/v1/filings/{filing_id}").json
    values = next(s["values"] for s in view["sections"] if s["key"] == section)
    return values.get(field)


@pytest.fixture
def filing_id(enterprise):
    return open_first_filing(enterprise)["id"]


def test_the_whole_corpus_in_section_saves_and_answers(enterprise, filing_id):
    """One filing, every entry twice: PUT the section, then answer the same item step by step."""
    for section, field, said, stored, question in SECTION_ANSWERS:
        saved = enterprise.put(
            f"/api/v1/filings/{filing_id}/sections/{section}",
            json={field: said},
            headers={"If-Match": current_etag(enterprise, filing_id)},
        )
        answered = enterprise.post(
            f"/api/v1/filings/{filing_id}/answers",
            json={"field": f"{section}.{field}", "value": said},
            headers={"If-Match": current_etag(enterprise, filing_id)},
        )
        if (field, said) in ANSWER_ONLY:
            assert saved.status_code == 422 and answered.status_code == 200, said
            assert _stored(enterprise, filing_id, section, field) == stored, said
        elif stored is None:
            assert saved.status_code == 422, (said, saved.json)
            assert question in saved.json["errors"][field], (said, saved.json)
            assert answered.status_code == 422, (said, answered.json)
            assert question in answered.json["detail"], (said, answered.json)
            assert answered.json["step"]["path"] == f"{section}.{field}"
        else:
            assert saved.status_code == 200, (said, saved.json)
            assert answered.status_code == 200, (said, answered.json)
            assert _stored(enterprise, filing_id, section, field) == stored, said
            assert answered.json["recorded"].startswith("已记录：")


def test_an_amount_is_said_back_in_the_fields_unit(enterprise, filing_id):
    answered = enterprise.post(
        f"/api/v1/filings/{filing_id}/answers",
        json={"field": "basic_info.registered_capital", "value": "人民币五千万元"},
        headers={"If-Match": current_etag(enterprise, filing_id)},
    )
    assert answered.json["recorded"] == "已记录：注册资本 5,000 万元"


def test_persons_are_named_as_clerks_name_them(enterprise, filing_id, make_person):
    chosen = make_person("张建国", employed_by=enterprise.id)
    make_person("王芳", employed_by=enterprise.id)
    make_person("王芳", employed_by=enterprise.id)
    for said, stored, *question in PERSONS:
        answered = enterprise.post(
            f"/api/v1/filings/{filing_id}/answers",
            json={"field": "responsible_person.person", "value": said},
            headers={"If-Match": current_etag(enterprise, filing_id)},
        )
        if stored is None:
            assert answered.status_code == 422
            assert question[0] in answered.json["detail"]
        else:
            assert answered.status_code == 200, answered.json
            assert _stored(enterprise, filing_id, "responsible_person", "person")["id"] == chosen
            assert answered.json["recorded"] == f"已记录：进疆负责人 {stored}"
