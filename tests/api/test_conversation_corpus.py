"""The clerk's corpus through the third path: named in a sentence to ``/messages``, corrections included."""

from __future__ import annotations

from entryfiling.domain.businesses import FIRST_FILING
from entryfiling.domain.guided import said_back
from tests.api.flows import open_first_filing
from tests.corpus.answers import ANSWER_ONLY, PERSONS, SECTION_ANSWERS

# Fields whose label names exactly one field of the first filing (手机号码 names two).
UNIQUE = {"registered_capital", "established_on", "registered_province", "professional_title"}
CORRECTIONS = [
    ("把注册资本改成6000万", "注册资本", "6,000 万元"),
    ("注册资本改为伍仟万元", "注册资本", "5,000 万元"),
    ("成立日期更正为2004年1月1日", "成立日期", "2004年1月1日"),
    ("注册地应该是浙江", "注册地省份", "浙江省"),
    ("把第1条资质的证书编号改成D1234", "资质第 1 条的资质证书编号", "D1234"),
]


def say(enterprise, filing_id, text):
    response = enterprise.post(f"/api/v1/filings/{filing_id}/messages", json={"text": text})
    assert response.status_code == 200, response.json
    return response.json


def test_the_corpus_named_in_sentences(enterprise):
    fid = open_first_filing(enterprise)["id"]
    say(enterprise, fid, "是的")
    checked = 0
    for section_key, key, said, stored, question in SECTION_ANSWERS:
        if key not in UNIQUE or (key, said) in ANSWER_ONLY:
            continue
        fld = FIRST_FILING.section(section_key).field(key)
        reply = say(enterprise, fid, f"{fld.label}{said}")
        if stored is None:
            assert not reply["recorded"] and question in reply["refused"][0]["reason"], (said, reply)
        else:
            assert reply["recorded"][0]["value"] == said_back(fld, stored), (said, reply)
        checked += 1
    assert checked >= 50


def test_corrections_and_persons_in_sentences(enterprise, make_person):
    make_person("张建国", employed_by=enterprise.id)
    make_person("王芳", employed_by=enterprise.id)
    make_person("王芳", employed_by=enterprise.id)
    fid = open_first_filing(enterprise)["id"]
    say(enterprise, fid, "是的。注册资本3000万，成立日期2003年6月1日，注册地安徽")
    say(enterprise, fid, "资质建筑工程施工总承包贰级，证书编号D0")
    for text, label, value in CORRECTIONS:
        reply = say(enterprise, fid, text)
        assert reply["recorded"] == [
            {"path": reply["recorded"][0]["path"], "label": label, "value": value, "corrected": True}
        ], (text, reply)
    for said, stored, *question in PERSONS:
        reply = say(enterprise, fid, f"进疆负责人{said}")
        if stored is None:
            assert question[0] in reply["refused"][0]["reason"], reply
        else:
            assert reply["recorded"][0]["value"] == stored
