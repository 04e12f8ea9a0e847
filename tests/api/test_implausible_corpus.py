"""A corpus of complete but implausible filings, as a regulator tried them: none may be approved.

Every case starts from a valid baseline (approved on its own, see the baseline tests at the end),
changes one thing a careful clerk would notice, and submits. The submit is either refused (422) or
decided ``rejected`` / ``manual_review``, and the reason names what was wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from devkit.emulators.registry import OTHER_ENTERPRISE_NAME, OTHER_ENTERPRISE_USCC, RegistryStandIn
from handlers import persons
from handlers.services import utcnow
from tests.api.flows import (
    LEGAL_REP_ID,
    basic_info,
    complete_first_filing,
    qualifications,
    registry_knows_certificate,
    registry_knows_qualifications,
    safety_licence,
    save,
    sign_and_submit,
    signed_letter,
    upload,
)
from tests.conftest import EnterpriseLogin
from tests.factories import make_id_number, make_uscc, pdf_bytes

TODAY = date.today()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@dataclass
class World:
    enterprise: EnterpriseLogin
    make_person: Callable[..., int]
    login_enterprise: Callable[..., EnterpriseLogin]
    services: Any
    registry: RegistryStandIn

    def persons(self, enterprise: EnterpriseLogin | None = None) -> tuple[int, int]:
        ent = enterprise or self.enterprise
        return self.make_person("张建国", employed_by=ent.id), self.make_person("刘志强", employed_by=ent.id)


def open_business(enterprise: EnterpriseLogin, business: str, **body: Any) -> dict[str, Any]:
    response = enterprise.post("/api/v1/filings", json={"business": business, **body})
    assert response.status_code in (200, 201), response.json
    return response.json


# ---------------------------------------------------------------------------- case builders


def first_filing(
    world: World,
    *,
    basic: dict[str, Any] | None = None,
    rows: list[dict[str, Any]] | None = None,
    row_changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    responsible: int | None = None,
    technical: int | None = None,
    office: dict[str, Any] | None = None,
    remove_uploads: tuple[str, ...] = (),
    enterprise: EnterpriseLogin | None = None,
    enterprise_type: str = "construction",
    technical_values: dict[str, Any] | None = None,
    before_submit: Callable[[EnterpriseLogin, int], None] | None = None,
    letter: Callable[[EnterpriseLogin], bytes] | None = None,
) -> Any:
    ent = enterprise or world.enterprise
    default_responsible, default_technical = world.persons(ent)
    filing = complete_first_filing(
        ent,
        responsible or default_responsible,
        technical or default_technical,
        enterprise_type=enterprise_type,
        **(basic or {}),
    )
    if rows is not None or row_changes is not None or extra is not None:
        table = qualifications(enterprise_type=enterprise_type)
        if rows is not None:
            table["qualifications"] = rows
        if row_changes:
            table["qualifications"][0].update(row_changes)
        save(ent, filing, "qualifications", table | (extra or {}))
    if technical_values:
        save(ent, filing, "technical_person", technical_values)
    if office:
        save(ent, filing, "xinjiang_office", office)
    for kind in remove_uploads:  # an upload the baseline made, taken away again
        view = ent.get(f"/api/v1/filings/{filing['id']}").json
        for attachment_id in [a["id"] for sec in view["sections"] for a in sec["attachments"] if a["kind"] == kind]:
            response = ent.delete(f"/api/v1/filings/{filing['id']}/attachments/{attachment_id}")
            assert response.status_code in (200, 204), response.json
    if before_submit is not None:
        before_submit(ent, technical or default_technical)
    if letter is not None:
        uploaded = upload(ent, filing["id"], "commitment_letter", letter(ent), "承诺书.pdf")["attachment"]
        return ent.post(
            f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": uploaded["id"]}
        )
    return sign_and_submit(ent, filing["id"])


def another_filings_letter(enterprise: EnterpriseLogin) -> bytes:
    other = open_business(enterprise, "personnel_certificates", enterprise_type="construction")
    return signed_letter(enterprise, other["id"])


def filed(world: World) -> tuple[int, int]:
    responsible, technical = world.persons()
    decided = first_filing(world, responsible=responsible, technical=technical).json
    assert decided["status"] == "approved", decided["reasons"]
    return responsible, technical


def basic_info_change(world: World, **changes: Any) -> Any:
    filed(world)
    filing = open_business(world.enterprise, "basic_info_change")
    upload(world.enterprise, filing["id"], "business_license")
    upload(world.enterprise, filing["id"], "legal_representative_id_card")
    save(world.enterprise, filing, "basic_info", changes)
    return sign_and_submit(world.enterprise, filing["id"])


def person_change(world: World, business: str, values: dict[str, Any]) -> Any:
    filed(world)
    filing = open_business(world.enterprise, business)
    section = "responsible_person" if business == "responsible_person_change" else "technical_person"
    save(world.enterprise, filing, section, values)
    kinds = (
        ("responsible_person_appointment", "responsible_person_id_card", "responsible_person_employment_proof")
        if section == "responsible_person"
        else ("technical_title_certificate", "technical_person_appointment")
    )
    for kind in kinds:
        upload(world.enterprise, filing["id"], kind)
    return sign_and_submit(world.enterprise, filing["id"])


def qualification_change(world: World, added: dict[str, Any]) -> Any:
    filed(world)
    filing = open_business(world.enterprise, "qualification_change")
    rows = next(s for s in filing["sections"] if s["key"] == "qualifications")["values"]["qualifications"]
    save(world.enterprise, filing, "qualifications", {"qualifications": [*rows, added]})
    registry_knows_qualifications(world.enterprise, [*rows, added])  # the registry lists the new one too
    return sign_and_submit(world.enterprise, filing["id"])


OFFICE = {
    "office_name": "安徽德拓建设工程有限公司新疆分公司",
    "region": "昌吉回族自治州",
    "address": "新疆昌吉市延安北路 66 号",
    "premises_type": "leased",
    "lease_until": days(900),
    "office_area": "180",
    "head_name": "马新疆",
    "head_mobile": "13899990000",
}


def publicity_extension(world: World, **changes: Any) -> Any:
    filed(world)
    world.services.clock = lambda: utcnow() + timedelta(days=300)
    filing = open_business(world.enterprise, "publicity_extension")
    upload(world.enterprise, filing["id"], "premises_proof", pdf_bytes(), "租赁合同.pdf")
    save(world.enterprise, filing, "xinjiang_office", OFFICE | changes)
    return sign_and_submit(world.enterprise, filing["id"])


PROJECT = {
    "project_name": "乌鲁木齐市第一中学教学楼全过程造价咨询",
    "region": "乌鲁木齐市",
    "address": "乌鲁木齐市天山区建设路 1 号",
    "client_name": "乌鲁木齐市第一中学",
    "contract_amount": "86.5",
    "contract_signed_on": days(-200),
    "service_start": days(-190),
    "service_end": days(300),
    "services": ["whole_process", "settlement"],
}


def consulting_project(world: World, *, basic: dict[str, Any] | None = None, **project: Any) -> Any:
    firm = world.login_enterprise("浙江精算工程造价咨询有限公司", make_uscc(region="330100"))
    leader = world.make_person("钱造价", employed_by=firm.id)
    responsible = world.make_person("孙经理", employed_by=firm.id)
    filing = open_business(firm, "cost_consulting_project", enterprise_type="cost_consulting")
    values = basic_info(firm, registered_province="浙江省", registered_address="浙江省杭州市西湖区文三路 90 号")
    save(firm, filing, "basic_info", values | (basic or {}))
    save(firm, filing, "responsible_person", {"person": responsible, "position": "经理", "mobile": "13912345678"})
    save(
        firm,
        filing,
        "project",
        PROJECT | {"project_leader": leader, "project_leader_certificate": "Z1234"} | project,
    )
    upload(firm, filing["id"], "consulting_contract", pdf_bytes(), "合同.pdf")
    return sign_and_submit(firm, filing["id"])


def registered(world: World, person_id: int) -> int:
    """The person holds the baseline technical person's registered certificate, in the registry too."""
    registry_knows_certificate(world.enterprise, person_id, "一级注册建造师", "皖1342010201812345", "建筑工程")
    return person_id


def aged(world: World, birth: str, name: str = "少年") -> int:
    return world.make_person(name, employed_by=world.enterprise.id, id_number=make_id_number(birth))


def serving_elsewhere(world: World, role: str) -> Any:
    other = world.login_enterprise("江苏恒通建设工程有限公司", make_uscc(region="320100"))
    shared = world.make_person("周共用", employed_by=other.id)
    persons.employ(world.services, world.enterprise.id, shared)  # employed by both enterprises
    other_responsible, other_technical = world.persons(other)
    chosen = {"responsible": shared} if role == "responsible" else {"technical": shared}
    decided = first_filing(
        world,
        enterprise=other,
        basic={"registered_province": "江苏省", "registered_address": "江苏省南京市鼓楼区中山路 1 号"},
        responsible=chosen.get("responsible", other_responsible),
        technical=chosen.get("technical", other_technical),
    ).json
    assert decided["status"] == "approved", decided["reasons"]
    return first_filing(world, **chosen)


def same_id_other_name(world: World) -> Any:
    id_number = make_id_number("19780305")
    world.make_person("王大伟", id_number=id_number)
    return first_filing(world, basic={"legal_representative_id_number": id_number})


def xinjiang_enterprise(world: World) -> Any:
    local = world.login_enterprise("新疆天山建设工程有限公司", make_uscc(region="650100"))
    return first_filing(world, enterprise=local)


# ---------------------------------------------------------------------------- the corpus

CASES: list[tuple[str, str, Callable[[World], Any]]] = [
    # junk values
    (
        "placeholder legal representative",
        "占位或测试",
        lambda w: first_filing(w, basic={"legal_representative_name": "张三"}),
    ),
    ("test as a name", "占位或测试", lambda w: first_filing(w, basic={"contact_name": "测试"})),
    ("digits as a name", "不是有效的中文姓名", lambda w: first_filing(w, basic={"contact_name": "王123"})),
    ("repeated characters", "重复字符", lambda w: first_filing(w, basic={"registered_address": "啊啊啊啊啊啊"})),
    ("latin address", "不是有效的地址", lambda w: first_filing(w, basic={"registered_address": "Room 1 Hefei"})),
    ("xxx address", "占位或测试", lambda w: first_filing(w, basic={"xinjiang_office_address": "xxx"})),
    ("test e-mail", "测试用的电子邮箱", lambda w: first_filing(w, basic={"email": "test@example.com"})),
    ("test phone", "测试用或无效的电话号码", lambda w: first_filing(w, basic={"contact_phone": "13800138000"})),
    ("repeated phone", "测试用或无效的电话号码", lambda w: first_filing(w, basic={"contact_phone": "13999999999"})),
    (
        "same address twice",
        "填写了相同的内容",
        lambda w: first_filing(w, basic={"xinjiang_office_address": "安徽省合肥市高新区创新大道 100 号"}),
    ),
    (
        "name pasted as scope",
        "填写了相同的内容",
        lambda w: first_filing(w, basic={"business_scope": "安徽德拓建设工程有限公司"}),
    ),
    ("placeholder authority", "占位或测试", lambda w: first_filing(w, row_changes={"issuing_authority": "暂无"})),
    # people
    (
        "legal representative aged 15",
        "岁，不在 18–70",
        lambda w: first_filing(w, basic={"legal_representative_id_number": make_id_number(f"{TODAY.year - 15}0101")}),
    ),
    (
        "legal representative aged 76",
        "岁，不在 18–70",
        lambda w: first_filing(w, basic={"legal_representative_id_number": "11010519491231002X"}),
    ),
    (
        "responsible person aged 16",
        "进疆负责人按身份证号",
        lambda w: first_filing(w, responsible=aged(w, f"{TODAY.year - 16}0601")),
    ),
    (
        "technical person aged 80",
        "进疆技术负责人按身份证号",
        lambda w: first_filing(w, technical=aged(w, f"{TODAY.year - 80}0601", "老工")),
    ),
    ("same person under another name", "已登记为“王大伟”", same_id_other_name),
    ("responsible person of another enterprise", "已是已备案企业", lambda w: serving_elsewhere(w, "responsible")),
    ("technical person of another enterprise", "已是已备案企业", lambda w: serving_elsewhere(w, "technical")),
    # dates
    (
        "valid before issued",
        "早于发证日期",
        lambda w: first_filing(w, row_changes={"issued_on": days(-10), "valid_until": days(-20)}),
    ),
    ("issued in the future", "晚于提交日", lambda w: first_filing(w, row_changes={"issued_on": days(30)})),
    (
        "ten-year qualification",
        "有效期超过 5 年",
        lambda w: first_filing(w, row_changes={"issued_on": days(-100), "valid_until": days(3600)}),
    ),
    ("established in the future", "晚于提交日", lambda w: first_filing(w, basic={"established_on": days(20)})),
    (
        "established after its qualification",
        "早于企业成立日期",
        lambda w: first_filing(w, basic={"established_on": days(-300)}),
    ),
    # identifiers
    (
        "USCC of another province",
        "登记机关在安徽省",
        lambda w: first_filing(w, basic={"registered_province": "江苏省"}),
    ),
    ("a Xinjiang enterprise", "登记机关在新疆", xinjiang_enterprise),
    (
        "qualification number 1111111",
        "重复字符",
        lambda w: first_filing(w, row_changes={"certificate_number": "1111111"}),
    ),
    (
        "qualification number free text",
        "不符合官方编号格式",
        lambda w: first_filing(w, row_changes={"certificate_number": "ZZ-2019-8"}),
    ),
    (
        "safety licence number free text",
        "不符合官方编号格式",
        lambda w: first_filing(w, extra={"safety_license_number": "AQ12345"}),
    ),
    # the 安全生产许可证 of a construction enterprise
    (
        "missing licence on a construction enterprise",
        "缺少安全生产许可证编号",
        lambda w: first_filing(w, extra={key: None for key in safety_licence()}),
    ),
    (
        "missing licence scan",
        "安全生产许可证（副本）扫描件",
        lambda w: first_filing(w, remove_uploads=("safety_license_scan",)),
    ),
    (
        "expired licence",
        "安全生产许可证有效期至已于",
        lambda w: first_filing(w, extra=safety_licence(TODAY - timedelta(days=1200))),
    ),
    (
        "licence number in a bad format",
        "不符合官方编号格式",
        lambda w: first_filing(w, extra={"safety_license_number": "安许证2020-123"}),
    ),
    (
        "licence number of no province",
        "不符合官方编号格式",
        lambda w: first_filing(w, extra={"safety_license_number": "(美)JZ安许证字[2020]000123"}),
    ),
    (
        "licence issued after its expiry",
        "早于发证日期",
        lambda w: first_filing(
            w, extra={"safety_license_issued_on": days(-10), "safety_license_valid_until": days(-20)}
        ),
    ),
    (
        "licence issued in the future",
        "晚于提交日",
        lambda w: first_filing(w, extra=safety_licence(TODAY + timedelta(days=20))),
    ),
    (
        "licence valid ten years",
        "超过 3 年",
        lambda w: first_filing(w, extra={"safety_license_valid_until": days(3200)}),
    ),
    # the 驻疆机构 of the first filing
    ("office area 0", "办公面积 0.00 平方米不在合理范围内", lambda w: first_filing(w, office={"office_area": "0"})),
    (
        "office area of a stadium",
        "不在合理范围内",
        lambda w: first_filing(w, office={"office_area": "900000"}),
    ),
    ("junk office address", "占位或测试", lambda w: first_filing(w, office={"address": "xxx"})),
    ("latin office address", "不是有效的地址", lambda w: first_filing(w, office={"address": "Room 8"})),
    ("placeholder office head", "占位或测试", lambda w: first_filing(w, office={"head_name": "李四"})),
    # qualification status
    (
        "qualification status withdrawn",
        "只有状态为“有效”的资质",
        lambda w: first_filing(w, row_changes={"status": "withdrawn"}),
    ),
    (
        "qualification cancelled in the registry",
        "与平台登记的“注销”不一致",
        lambda w: first_filing(
            w,
            before_submit=lambda ent, _t: registry_knows_qualifications(
                ent, [r | {"status": "cancelled"} for r in qualifications()["qualifications"]]
            ),
        ),
    ),
    ("capital zero", "注册资本 0", lambda w: first_filing(w, basic={"registered_capital": "0"})),
    ("capital beyond bounds", "不在合理范围内", lambda w: first_filing(w, basic={"registered_capital": "900000000"})),
    # catalogue and enterprise type
    (
        "supervision qualification on a builder",
        "属于工程监理综合资质",
        lambda w: first_filing(w, row_changes={"name": "工程监理综合资质", "certificate_number": "E132000001"}),
    ),
    (
        "construction qualification on a supervisor",
        "属于施工总承包资质",
        lambda w: first_filing(w, enterprise_type="supervision", rows=qualifications()["qualifications"]),
    ),
    (
        "one qualification in two spellings",
        "同一类别的资质",
        lambda w: first_filing(
            w,
            rows=[
                qualifications()["qualifications"][0],
                qualifications()["qualifications"][0]
                | {"name": "建筑工程施工总承包乙级", "certificate_number": "D234023426"},
            ],
        ),
    ),
    (
        "duplicate rows",
        "重复",
        lambda w: first_filing(w, rows=[qualifications()["qualifications"][0]] * 2),
    ),
    (
        "name unlike the CA certificate",
        "与 CA 证书中的",
        lambda w: first_filing(w, basic={"enterprise_name": "安徽德拓建设有限公司"}),
    ),
    # the national registry
    (
        "qualification number the registry never heard of",
        "无此资质证书编号",
        lambda w: first_filing(w, row_changes={"certificate_number": "D999999999"}),
    ),
    (
        "another enterprise's qualification",
        f"登记在“{OTHER_ENTERPRISE_NAME}”名下",
        lambda w: first_filing(w, row_changes={"name": "建筑工程施工总承包壹级", "certificate_number": "D132045678"}),
    ),
    (
        "grade above the registry's",
        "与填写的资质名称或等级不一致",
        lambda w: first_filing(w, row_changes={"name": "建筑工程施工总承包甲级"}),
    ),
    (
        "validity longer than the registry's",
        "与平台登记的",
        lambda w: first_filing(w, row_changes={"valid_until": days(800)}),
    ),
    (
        "qualification expired in the registry",
        "已过",
        lambda w: first_filing(
            w,
            before_submit=lambda ent, _t: registry_knows_qualifications(
                ent, [r | {"valid_until": days(-1)} for r in qualifications()["qualifications"]]
            ),
        ),
    ),
    (
        "hand-typed constructor number unknown to the registry",
        "该人员名下无此注册证书",
        lambda w: first_filing(w, technical_values={"registered_certificate_number": "皖1342010201899999"}),
    ),
    (
        "technical person's certificate registered elsewhere",
        f"注册在“{OTHER_ENTERPRISE_NAME}”",
        lambda w: first_filing(
            w,
            before_submit=lambda ent, t: registry_knows_certificate(
                ent,
                t,
                "一级注册建造师",
                "皖1342010201812345",
                "建筑工程",
                holder=(OTHER_ENTERPRISE_NAME, OTHER_ENTERPRISE_USCC),
            ),
        ),
    ),
    (
        "technical person's certificate expired in the registry",
        "已过",
        lambda w: first_filing(
            w,
            before_submit=lambda ent, t: registry_knows_certificate(
                ent, t, "一级注册建造师", "皖1342010201812345", "建筑工程", valid_until=TODAY - timedelta(days=2)
            ),
        ),
    ),
    (
        "supervision engineer as a builder's technical head",
        "进疆技术负责人应持有",
        lambda w: first_filing(
            w,
            technical_values={
                "registered_certificate_type": "supervision_engineer",
                "registered_specialty": "房屋建筑工程",
            },
        ),
    ),
    (
        "constructor of another specialty",
        "进疆技术负责人应持有",
        lambda w: first_filing(w, technical_values={"registered_specialty": "公路工程"}),
    ),
    (
        "registry unreachable",
        "暂时无法查询",
        lambda w: first_filing(w, before_submit=lambda _e, _t: w.registry.set_fault("error", status=503)),
    ),
    # the signed letter
    ("another filing's letter", "不是本办件", lambda w: first_filing(w, letter=another_filings_letter)),
    ("a letter without the reference", "未能识别出办件编号", lambda w: first_filing(w, letter=lambda _e: pdf_bytes())),
    # other businesses
    (
        "3: placeholder legal representative",
        "占位或测试",
        lambda w: basic_info_change(w, legal_representative_name="李四"),
    ),
    ("3: capital zero", "注册资本 0", lambda w: basic_info_change(w, registered_capital="0")),
    ("3: province unlike the USCC", "登记机关在安徽省", lambda w: basic_info_change(w, registered_province="上海市")),
    (
        "4: responsible person aged 16",
        "进疆负责人按身份证号",
        lambda w: person_change(
            w, "responsible_person_change", {"person": aged(w, f"{TODAY.year - 16}0301"), "mobile": "13700001111"}
        ),
    ),
    (
        "4: technical person aged 75",
        "进疆技术负责人按身份证号",
        lambda w: person_change(
            w, "technical_person_change", {"person": aged(w, f"{TODAY.year - 75}0301"), "mobile": "13700001111"}
        ),
    ),
    (
        "5: supervision qualification added to a builder",
        "属于工程监理综合资质",
        lambda w: qualification_change(
            w,
            {
                "name": "工程监理综合资质",
                "certificate_number": "E132000002",
                "issued_on": days(-30),
                "valid_until": days(1500),
                "status": "valid",
            },
        ),
    ),
    (
        "5: qualification valid before issued",
        "早于发证日期",
        lambda w: qualification_change(
            w,
            {
                "name": "钢结构工程专业承包贰级",
                "certificate_number": "D334023499",
                "issued_on": days(-30),
                "valid_until": days(-40),
                "status": "valid",
            },
        ),
    ),
    ("7: placeholder office head", "占位或测试", lambda w: publicity_extension(w, head_name="张三")),
    ("7: office area 0", "不在合理范围内", lambda w: publicity_extension(w, office_area="0")),
    (
        "5: suspended qualification added",
        "只有状态为“有效”的资质",
        lambda w: qualification_change(
            w,
            {
                "name": "钢结构工程专业承包贰级",
                "certificate_number": "D334023499",
                "issued_on": days(-30),
                "valid_until": days(1500),
                "status": "suspended",
            },
        ),
    ),
    (
        "7: office named as its address",
        "填写了相同的内容",
        lambda w: publicity_extension(w, office_name="新疆昌吉市延安北路 66 号"),
    ),
    ("8: test client", "占位或测试", lambda w: consulting_project(w, client_name="测试单位")),
    (
        "8: legal representative aged 15",
        "岁，不在 18–70",
        lambda w: consulting_project(
            w, basic={"legal_representative_id_number": make_id_number(f"{TODAY.year - 15}0101")}
        ),
    ),
    (
        "8: project named as its address",
        "填写了相同的内容",
        lambda w: consulting_project(w, project_name="乌鲁木齐市天山区建设路 1 号"),
    ),
]


@pytest.fixture
def world(enterprise, make_person, login_enterprise, services, registry) -> World:
    return World(enterprise, make_person, login_enterprise, services, registry)


def reasons_of(response: Any) -> list[str]:
    body = response.json
    if response.status_code == 422:
        return [str(p) for p in body.get("problems", [])] + [body.get("detail", "")]
    return list(body["reasons"])


def test_the_corpus_covers_every_category_and_several_businesses():
    assert len(CASES) >= 40
    assert len({name.split(":")[0] for name, _f, _c in CASES if ":" in name}) >= 4


@pytest.mark.parametrize(("name", "fragment", "case"), CASES, ids=[c[0] for c in CASES])
def test_an_implausible_filing_is_not_approved(world, name, fragment, case):
    response = case(world)
    assert response.status_code in (200, 422), response.json
    if response.status_code == 200:
        assert response.json["status"] in ("rejected", "manual_review"), (name, response.json["status"])
    assert any(fragment in reason for reason in reasons_of(response)), reasons_of(response)


@pytest.mark.parametrize("enterprise_type", ["construction", "supervision", "survey", "design", "quality_testing"])
def test_the_valid_baseline_of_every_enterprise_type_is_approved(world, enterprise_type):
    decided = first_filing(world, enterprise_type=enterprise_type).json
    assert decided["status"] == "approved", decided["reasons"]
    failed = [r for r in decided["rule_results"] if not r["passed"]]
    assert failed == []


@pytest.mark.parametrize(
    "baseline",
    [
        lambda w: basic_info_change(w, contact_name="赵新联"),
        lambda w: person_change(w, "technical_person_change", {"person": registered(w, aged(w, "19800101", "吴新工"))}),
        lambda w: qualification_change(
            w,
            {
                "name": "钢结构工程专业承包贰级",
                "certificate_number": "D334023499",
                "issued_on": days(-30),
                "valid_until": days(1500),
                "status": "valid",
            },
        ),
        publicity_extension,
        consulting_project,
    ],
    ids=["basic_info_change", "technical_person_change", "qualification_change", "publicity_extension", "project"],
)
def test_the_valid_baselines_of_the_other_businesses_are_approved(world, baseline):
    decided = baseline(world).json
    assert decided["status"] == "approved", decided["reasons"]


def test_the_legal_representative_baseline_is_of_working_age():
    assert 18 <= TODAY.year - int(LEGAL_REP_ID[6:10]) <= 70
