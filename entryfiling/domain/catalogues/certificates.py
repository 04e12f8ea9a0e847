"""Personnel certificate types (人员证书): registered practising qualifications, safety certificates,
special operations and technical-worker trades, with their specialties and levels.

Registered types follow the national registry's wording (全国建筑市场监管公共服务平台 注册类别);
safety certificates follow 《建筑施工企业主要负责人、项目负责人和专职安全生产管理人员安全生产管理规定》
(A / B / C1 / C2 / C3); special operations follow 《建筑施工特种作业人员管理规定》; trades and levels
follow the 职业技能等级 of 《国家职业资格目录》. Codes are stable: filings store them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from entryfiling.domain.catalogues.matching import Match, Matcher

VERSION = "2024"


class CertificateKind(StrEnum):
    REGISTERED = "registered"  # 注册执业资格
    SAFETY = "safety"  # 安全生产考核合格证书
    SPECIAL_OPERATION = "special_operation"
    TECHNICAL_WORKER = "technical_worker"


@dataclass(frozen=True)
class CertificateType:
    code: str
    name: str
    kind: CertificateKind
    specialties: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    # The official number format (a regular expression over the NFKC form), when there is one.
    number_pattern: str = ""


_PROVINCE_ABBR = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵黔云滇藏陕甘青宁新"
# 注册建造师: 省简称 + 1/2 (级) + 6-digit region + 4-digit year + serial, e.g. 皖1342010201812345.
_CONSTRUCTOR = rf"[{_PROVINCE_ABBR}]{{1}}[12][0-9]{{12,16}}"
_SAFETY = rf"[{_PROVINCE_ABBR}]建安[ABC][123]?[（(][0-9]{{4}}[）)][0-9]{{5,9}}"

CONSTRUCTOR_1_SPECIALTIES = (
    "建筑工程",
    "公路工程",
    "铁路工程",
    "民航机场工程",
    "港口与航道工程",
    "水利水电工程",
    "矿业工程",
    "机电工程",
    "市政公用工程",
    "通信与广电工程",
)
CONSTRUCTOR_2_SPECIALTIES = ("建筑工程", "公路工程", "水利水电工程", "矿业工程", "机电工程", "市政公用工程")
SUPERVISION_SPECIALTIES = (
    "土木建筑工程",
    "交通运输工程",
    "水利工程",
    "房屋建筑工程",
    "市政公用工程",
    "公路工程",
    "机电安装工程",
    "电力工程",
)
COST_SPECIALTIES = ("土木建筑工程", "交通运输工程", "水利工程", "安装工程")

CERTIFICATE_TYPES: tuple[CertificateType, ...] = (
    CertificateType(
        "constructor_1",
        "一级注册建造师",
        CertificateKind.REGISTERED,
        CONSTRUCTOR_1_SPECIALTIES,
        ("注册建造师一级", "一级建造师"),
        _CONSTRUCTOR,
    ),
    CertificateType(
        "constructor_2",
        "二级注册建造师",
        CertificateKind.REGISTERED,
        CONSTRUCTOR_2_SPECIALTIES,
        ("注册建造师二级", "二级建造师"),
        _CONSTRUCTOR,
    ),
    CertificateType(
        "supervision_engineer",
        "注册监理工程师",
        CertificateKind.REGISTERED,
        SUPERVISION_SPECIALTIES,
        ("监理工程师",),
        r"[0-9]{8}|[A-Z0-9]{8,20}",
    ),
    CertificateType(
        "cost_engineer_1",
        "一级注册造价工程师",
        CertificateKind.REGISTERED,
        COST_SPECIALTIES,
        ("注册造价工程师", "造价工程师一级"),
        r"建\[造\][0-9]{9,14}|[0-9A-Z]{8,20}",
    ),
    CertificateType("cost_engineer_2", "二级注册造价工程师", CertificateKind.REGISTERED, COST_SPECIALTIES),
    CertificateType("architect_1", "一级注册建筑师", CertificateKind.REGISTERED, ("建筑",), ("注册建筑师一级",)),
    CertificateType("architect_2", "二级注册建筑师", CertificateKind.REGISTERED, ("建筑",), ("注册建筑师二级",)),
    CertificateType("structural_engineer_1", "一级注册结构工程师", CertificateKind.REGISTERED, ("结构",)),
    CertificateType("structural_engineer_2", "二级注册结构工程师", CertificateKind.REGISTERED, ("结构",)),
    CertificateType(
        "geotechnical_engineer", "注册土木工程师（岩土）", CertificateKind.REGISTERED, ("岩土",), ("注册岩土工程师",)
    ),
    CertificateType("water_engineer", "注册土木工程师（水利水电工程）", CertificateKind.REGISTERED, ("水利水电工程",)),
    CertificateType("port_engineer", "注册土木工程师（港口与航道工程）", CertificateKind.REGISTERED, ("港口与航道",)),
    CertificateType("road_engineer", "注册土木工程师（道路工程）", CertificateKind.REGISTERED, ("道路工程",)),
    CertificateType(
        "electrical_engineer",
        "注册电气工程师",
        CertificateKind.REGISTERED,
        ("供配电", "发输变电"),
        ("注册电气工程师（供配电）", "注册电气工程师（发输变电）"),
    ),
    CertificateType(
        "utility_engineer",
        "注册公用设备工程师",
        CertificateKind.REGISTERED,
        ("暖通空调", "给水排水", "动力"),
        ("注册公用设备工程师（暖通空调）", "注册公用设备工程师（给水排水）", "注册公用设备工程师（动力）"),
    ),
    CertificateType("chemical_engineer", "注册化工工程师", CertificateKind.REGISTERED, ("化工",)),
    CertificateType("environmental_engineer", "注册环保工程师", CertificateKind.REGISTERED, ("环保",)),
    CertificateType(
        "safety_a",
        "安全生产考核合格证书（A证）",
        CertificateKind.SAFETY,
        ("企业主要负责人",),
        ("安全生产考核合格证书A类", "安管A证"),
        _SAFETY,
    ),
    CertificateType(
        "safety_b",
        "安全生产考核合格证书（B证）",
        CertificateKind.SAFETY,
        ("项目负责人",),
        ("安全生产考核合格证书B类", "安管B证"),
        _SAFETY,
    ),
    # Before 2019 the C certificate had no subclasses; those still in use are kept as they are.
    CertificateType("safety_c", "安全生产考核合格证书（C证）", CertificateKind.SAFETY, ("专职安全生产管理人员",)),
    CertificateType(
        "safety_c1", "安全生产考核合格证书（C1证）", CertificateKind.SAFETY, ("机械类专职安全生产管理人员",)
    ),
    CertificateType(
        "safety_c2", "安全生产考核合格证书（C2证）", CertificateKind.SAFETY, ("土建类专职安全生产管理人员",)
    ),
    CertificateType(
        "safety_c3", "安全生产考核合格证书（C3证）", CertificateKind.SAFETY, ("综合类专职安全生产管理人员",)
    ),
)

SPECIAL_OPERATIONS = (
    "建筑电工",
    "建筑架子工（普通脚手架）",
    "建筑架子工（附着升降脚手架）",
    "建筑起重信号司索工",
    "建筑起重机械司机（塔式起重机）",
    "建筑起重机械司机（施工升降机）",
    "建筑起重机械司机（物料提升机）",
    "建筑起重机械安装拆卸工（塔式起重机）",
    "建筑起重机械安装拆卸工（施工升降机）",
    "高处作业吊篮安装拆卸工",
    "建筑焊工",
)
TECHNICAL_WORKER_TRADES = (
    "钢筋工",
    "木工",
    "砌筑工",
    "混凝土工",
    "抹灰工",
    "架子工",
    "电焊工",
    "防水工",
    "油漆工",
    "管道工",
    "水电安装工",
    "通风工",
    "测量放线工",
    "装饰装修工",
    "模板工",
    "起重工",
    "机械设备安装工",
    "电气设备安装工",
)
SKILL_LEVELS = (
    ("level_5", "初级工（五级）"),
    ("level_4", "中级工（四级）"),
    ("level_3", "高级工（三级）"),
    ("level_2", "技师（二级）"),
    ("level_1", "高级技师（一级）"),
)

BY_CODE: dict[str, CertificateType] = {c.code: c for c in CERTIFICATE_TYPES}

# A type the registry reports that this catalogue version does not list yet: kept (the registry is the
# truth), stored under this code with the registry's own wording beside it.
OTHER_REGISTERED_CODE = "other_registered"
OTHER_REGISTERED_LABEL = "其他注册或执业证书"

_MATCHER: Matcher[CertificateType] = Matcher(
    [(c.name, c) for c in CERTIFICATE_TYPES] + [(f, c) for c in CERTIFICATE_TYPES for f in c.former_names],
    shown=lambda c: c.name,
)
_TRADES: Matcher[str] = Matcher([(t, t) for t in (*TECHNICAL_WORKER_TRADES, *SPECIAL_OPERATIONS)], shown=lambda t: t)


def match_certificate_type(text: str) -> Match[CertificateType]:
    return _MATCHER.match(text)


def match_trade(text: str) -> Match[str]:
    return _TRADES.match(text)


def number_matches_format(certificate: CertificateType, number: str) -> bool:
    """Whether a number has the type's official shape (types without a declared format accept any)."""
    if not certificate.number_pattern:
        return True
    return re.fullmatch(certificate.number_pattern, unicodedata.normalize("NFKC", number).strip()) is not None
