"""Filing by conversation: free sentences through ``/messages`` alone, from the first question to the decision."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.flows import (
    LICENCE_SENTENCE,
    OFFICE_SENTENCE,
    complete_first_filing,
    open_first_filing,
    registry_agrees,
    sign_and_submit,
    signed_letter,
    upload,
)
from tests.factories import pdf_bytes

UNTIL = date.today() + timedelta(days=900)
QUALIFICATIONS = [
    ("建筑工程施工总承包贰级", "D234023425"),
    ("市政公用工程施工总承包叁级", "D334023422"),
    ("机电工程施工总承包叁级", "D334023423"),
    ("建筑装修装饰工程专业承包贰级", "D234023424"),
    ("地基基础工程专业承包叁级", "D334023426"),
    ("钢结构工程专业承包叁级", "D334023427"),
]


TECHNICAL_ANSWERS = {
    "technical_person.title_specialty": "建筑工程",
    "technical_person.years_in_field": "15",
    "technical_person.registered_certificate_type": "一级注册建造师",
    "technical_person.registered_certificate_number": "皖1342010201812345",
    "technical_person.registered_specialty": "建筑工程",
}


def say(enterprise, filing_id, text, status=200):
    response = enterprise.post(f"/api/v1/filings/{filing_id}/messages", json={"text": text})
    assert response.status_code == status, response.json
    return response.json


def upload_what_is_asked(enterprise, filing_id, reply, limit=20):
    """Uploads are files, not words: whatever attachment the conversation asks for is uploaded."""
    for _ in range(limit):
        if reply["status"] != "attachment":
            return reply
        upload(enterprise, filing_id, reply["question"]["attachment"], pdf_bytes(), "scan.pdf")
        reply = enterprise.get(f"/api/v1/filings/{filing_id}/messages").json
    raise AssertionError("still asking for uploads")


def test_a_first_filing_with_six_qualifications_by_conversation_alone(enterprise, make_person):
    make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    fid = open_first_filing(enterprise)["id"]
    # The registry knows the six qualifications (the third under its corrected number) and 刘工's 一级注册建造师.
    numbers = [number if i != 2 else "D334023499" for i, (_name, number) in enumerate(QUALIFICATIONS)]
    rows = [
        {"name": name, "certificate_number": number, "valid_until": UNTIL.isoformat(), "issued_on": "2025-11-20"}
        for (name, _n), number in zip(QUALIFICATIONS, numbers, strict=True)
    ]
    registry_agrees(enterprise, technical, rows)

    first = enterprise.get(f"/api/v1/filings/{fid}/messages").json
    assert first["question"]["kind"] == "confirm"  # name and USCC come from the CA certificate
    assert enterprise.name in first["question"]["text"] and enterprise.uscc in first["question"]["text"]
    assert say(enterprise, fid, "是的")["question"]["path"] == "basic_info.registered_province"

    reply = say(enterprise, fid, "注册资本5000万元，2003年6月1日成立，法人李德拓")
    assert [r["value"] for r in reply["recorded"]] == ["5,000 万元", "2003年6月1日", "李德拓"]
    assert reply["reply"].startswith("已记录：注册资本 5,000 万元；成立日期 2003年6月1日；法定代表人姓名 李德拓")
    assert reply["question"]["path"] == "basic_info.registered_province"

    reply = say(enterprise, fid, "把注册资本改成6000万")
    assert reply["recorded"] == [
        {"path": "basic_info.registered_capital", "label": "注册资本", "value": "6,000 万元", "corrected": True}
    ]
    assert "已更正：注册资本 6,000 万元" in reply["reply"]

    reply = say(enterprise, fid, "注册地在安徽")
    assert reply["recorded"][0]["value"] == "安徽省" and not reply["refused"]
    reply = say(enterprise, fid, "注册地址安徽省合肥市高新区创新大道100号，法人身份证11010519750109002x，天气不错")
    assert reply["not_understood"] == ["天气不错"]
    assert "没有看懂：“天气不错”" in reply["reply"]
    reply = say(enterprise, fid, "联系人王小明，联系电话0551-65551234，驻疆地址乌鲁木齐市天山区解放北路8号")
    assert reply["question"]["kind"] == "optional" and "可跳过" in reply["question"]["text"]
    assert "跳过" in reply["question"]["quick_replies"]
    for _ in range(3):  # 法定代表人手机号码, 电子邮箱, 经营范围: each offered once
        reply = say(enterprise, fid, "跳过")

    assert reply["question"]["path"] == "qualifications.qualifications[0].name"
    assert "建筑工程施工总承包贰级" in reply["question"]["text"]  # the example of a construction firm
    expired = say(enterprise, fid, f"{QUALIFICATIONS[0][0]}，证书编号{QUALIFICATIONS[0][1]}，有效期至2020年1月1日")
    assert expired["refused"] and "过期" in expired["refused"][0]["reason"]
    assert expired["question"]["path"] == "qualifications.qualifications[0].valid_until"
    reply = say(enterprise, fid, f"有效期至{UNTIL.year}年{UNTIL.month}月{UNTIL.day}日，发证日期2025年12月24日")
    assert reply["question"]["path"] == "qualifications.qualifications[0].status"
    assert reply["question"]["quick_replies"] == ["有效", "暂停", "撤回", "注销"]
    reply = say(enterprise, fid, "有效")
    # A builder's 安全生产许可证 is required: asked before more rows are offered.
    assert reply["question"]["path"] == "qualifications.safety_license_number"
    reply = say(enterprise, fid, LICENCE_SENTENCE)
    assert not reply["refused"], reply
    assert reply["question"]["kind"] == "more_rows" and reply["question"]["text"].startswith("还有其他资质吗？")
    reply = say(enterprise, fid, "有")
    assert reply["question"]["path"] == "qualifications.qualifications[1].name"
    reply = say(enterprise, fid, QUALIFICATIONS[1][0])
    reply = say(
        enterprise, fid, f"证书编号{QUALIFICATIONS[1][1]}，有效期{UNTIL.isoformat()}，发证日期2025/11/20，状态有效"
    )
    for name, number in QUALIFICATIONS[2:]:
        assert reply["question"]["kind"] == "more_rows"
        reply = say(
            enterprise,
            fid,
            f"还有一项资质，{name}，证书编号{number}，有效期{UNTIL:%Y.%m.%d}，发证二〇二五年十一月二十日，状态有效",
        )
        assert not reply["refused"], reply
    reply = say(enterprise, fid, "把第3条资质的证书编号改成D334023499")
    assert reply["recorded"][0]["path"] == "qualifications.qualifications[2].certificate_number"
    assert reply["recorded"][0]["corrected"]
    reply = say(enterprise, fid, "没有了")

    assert reply["question"]["path"] == "responsible_person.person"
    assert set(reply["question"]["quick_replies"]) == {"张建国", "刘工"}
    reply = say(enterprise, fid, "负责人张建国，职务进疆负责人，手机139 1234 5678")
    assert [r["value"] for r in reply["recorded"]] == ["张建国", "进疆负责人", "13912345678"]
    reply = say(enterprise, fid, "跳过")  # 办公电话
    reply = say(enterprise, fid, "技术负责人刘工，职称高级工程师，职称证书编号GC2019-001，手机13812345678")
    assert not reply["refused"] and not reply["not_understood"], reply
    for _ in range(len(TECHNICAL_ANSWERS)):  # the registered certificate, asked one by one
        if reply["status"] == "attachment":
            break
        reply = say(enterprise, fid, TECHNICAL_ANSWERS[reply["question"]["path"]])
    # The 驻疆机构 cannot be saved before its premises proof: that upload is asked first.
    assert reply["question"]["attachment"] == "premises_proof", reply["question"]
    reply = upload_what_is_asked(enterprise, fid, reply)
    assert reply["question"]["path"] == "xinjiang_office.office_name"
    reply = say(enterprise, fid, OFFICE_SENTENCE)
    assert not reply["refused"] and not reply["not_understood"], reply
    assert [r["path"] for r in reply["recorded"]][3:5] == [
        "xinjiang_office.office_area",
        "xinjiang_office.premises_type",
    ]
    for _ in range(2):  # 租赁到期日期, 办公电话: each offered once
        assert reply["question"]["kind"] == "optional", reply["question"]
        reply = say(enterprise, fid, "跳过")
    assert reply["status"] == "attachment", reply["question"]  # uploads are asked once there is nothing left to say
    reply = upload_what_is_asked(enterprise, fid, reply)

    assert reply["status"] == "review" and reply["reply"].startswith("请核对：")
    assert "注册资本 6,000 万元" in reply["reply"] and "资质6：" in reply["reply"]
    reply = say(enterprise, fid, "确认无误")
    assert reply["status"] == "ready"
    not_yet = say(enterprise, fid, "同意承诺并提交")
    assert not_yet["status"] == "ready" and "承诺书" in not_yet["reply"]
    upload(enterprise, fid, "commitment_letter", signed_letter(enterprise, fid), "承诺书-签章.pdf")
    done = say(enterprise, fid, "同意承诺并提交")
    assert done["status"] == "submitted"
    assert done["decision"]["status"] == "approved", done
    filing = enterprise.get(f"/api/v1/filings/{fid}").json
    rows = filing["sections"][1]["values"]["qualifications"]
    assert [row["name"] for row in rows] == [name for name, _ in QUALIFICATIONS]
    assert {row["category"] for row in rows} == {"general_contracting", "specialty_contracting"}
    assert rows[2]["certificate_number"] == "D334023499"


def test_a_change_filing_by_conversation_alone(enterprise, make_person):
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filed = complete_first_filing(enterprise, responsible, technical)
    assert sign_and_submit(enterprise, filed["id"]).json["status"] == "approved"

    fid = enterprise.post("/api/v1/filings", json={"business": "basic_info_change"}).json["id"]
    opening = enterprise.get(f"/api/v1/filings/{fid}/messages").json
    assert opening["question"]["kind"] == "confirm"
    assert enterprise.name in opening["question"]["text"]
    reply = say(enterprise, fid, "是的")
    assert reply["question"]["kind"] == "optional"
    reply = say(enterprise, fid, "把注册资本改成6000万，联系电话改为0551-65559999")
    assert [(r["label"], r["value"], r["corrected"]) for r in reply["recorded"]] == [
        ("注册资本", "6,000 万元", True),
        ("联系电话", "0551-65559999", True),
    ]
    for _ in range(3):
        if reply["status"] != "optional":
            break
        reply = say(enterprise, fid, "跳过")
    reply = upload_what_is_asked(enterprise, fid, reply)
    assert reply["status"] == "review" and "注册资本 6,000 万元" in reply["reply"]
    reply = say(enterprise, fid, "确认")
    upload(enterprise, fid, "commitment_letter", signed_letter(enterprise, fid), "承诺书-签章.pdf")
    done = say(enterprise, fid, "同意承诺并提交")
    assert done["decision"]["status"] == "approved", done
    record = enterprise.get("/api/v1/enterprise").json
    assert "6000" in str(record)


def test_messages_on_the_phone_and_bad_input(enterprise):
    fid = open_first_filing(enterprise)["id"]
    assert enterprise.post(f"/api/v1/filings/{fid}/messages", json={"text": ""}).status_code == 422
    assert enterprise.post(f"/api/v1/filings/{fid}/messages", json={}).status_code == 422
    stale = enterprise.post(f"/api/v1/filings/{fid}/messages", json={"text": "是"}, headers={"If-Match": '"0-0"'})
    assert stale.status_code == 412
    reply = say(enterprise, fid, "成立日期2003年6月")
    assert reply["refused"][0]["reason"].startswith("请补充是哪一天")
