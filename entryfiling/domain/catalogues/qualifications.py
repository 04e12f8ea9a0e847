"""The enterprise qualification catalogue (企业资质) after the 2020 reform, with the names it replaced.

Source: 住房和城乡建设部《建设工程企业资质管理制度改革方案》(建市〔2020〕94号) and the draft
资质标准 that followed it (施工 / 勘察 / 设计 / 监理), and《建设工程质量检测机构资质标准》(建质规〔2023〕1号).
Certificates issued before the reform stay in circulation until they are renewed, so every former
name (特级/壹级/贰级/叁级, 一级/二级/三级, 丙级, 施工劳务, renamed categories) maps to what it became.

The catalogue is versioned: a change of the standards is a new version here, not an edit of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from entryfiling.domain.catalogues.matching import Match, Matcher

VERSION = "2020-reform/2023-testing"


class Sequence(StrEnum):
    """资质序列: which kind of enterprise may hold it is declared in ``SEQUENCE_HOLDERS``."""

    CONSTRUCTION_COMPREHENSIVE = "construction_comprehensive"  # 施工综合资质
    GENERAL_CONTRACTING = "general_contracting"  # 施工总承包
    SPECIALTY_CONTRACTING = "specialty_contracting"  # 专业承包
    SPECIALIST_WORK = "specialist_work"  # 专业作业
    SUPERVISION_COMPREHENSIVE = "supervision_comprehensive"
    SUPERVISION_SPECIALTY = "supervision_specialty"
    SUPERVISION_FIRM = "supervision_firm"  # 监理事务所
    SURVEY_COMPREHENSIVE = "survey_comprehensive"
    SURVEY_SPECIALTY = "survey_specialty"
    SURVEY_LABOUR = "survey_labour"
    DESIGN_COMPREHENSIVE = "design_comprehensive"
    DESIGN_INDUSTRY = "design_industry"
    DESIGN_SPECIALTY = "design_specialty"
    DESIGN_SPECIAL_ITEM = "design_special_item"  # 专项
    TESTING_COMPREHENSIVE = "testing_comprehensive"
    TESTING_SPECIAL_ITEM = "testing_special_item"


SEQUENCE_LABELS: dict[Sequence, str] = {
    Sequence.CONSTRUCTION_COMPREHENSIVE: "施工综合资质",
    Sequence.GENERAL_CONTRACTING: "施工总承包资质",
    Sequence.SPECIALTY_CONTRACTING: "专业承包资质",
    Sequence.SPECIALIST_WORK: "专业作业资质",
    Sequence.SUPERVISION_COMPREHENSIVE: "工程监理综合资质",
    Sequence.SUPERVISION_SPECIALTY: "工程监理专业资质",
    Sequence.SUPERVISION_FIRM: "工程监理事务所资质",
    Sequence.SURVEY_COMPREHENSIVE: "工程勘察综合资质",
    Sequence.SURVEY_SPECIALTY: "工程勘察专业资质",
    Sequence.SURVEY_LABOUR: "工程勘察劳务资质",
    Sequence.DESIGN_COMPREHENSIVE: "工程设计综合资质",
    Sequence.DESIGN_INDUSTRY: "工程设计行业资质",
    Sequence.DESIGN_SPECIALTY: "工程设计专业资质",
    Sequence.DESIGN_SPECIAL_ITEM: "工程设计专项资质",
    Sequence.TESTING_COMPREHENSIVE: "检测机构综合资质",
    Sequence.TESTING_SPECIAL_ITEM: "检测机构专项资质",
}

# Which enterprise type (EnterpriseType values) may hold which sequence.
SEQUENCE_HOLDERS: dict[str, frozenset[Sequence]] = {
    "construction": frozenset(
        {
            Sequence.CONSTRUCTION_COMPREHENSIVE,
            Sequence.GENERAL_CONTRACTING,
            Sequence.SPECIALTY_CONTRACTING,
            Sequence.SPECIALIST_WORK,
        }
    ),
    "supervision": frozenset(
        {Sequence.SUPERVISION_COMPREHENSIVE, Sequence.SUPERVISION_SPECIALTY, Sequence.SUPERVISION_FIRM}
    ),
    "survey": frozenset({Sequence.SURVEY_COMPREHENSIVE, Sequence.SURVEY_SPECIALTY, Sequence.SURVEY_LABOUR}),
    "design": frozenset(
        {
            Sequence.DESIGN_COMPREHENSIVE,
            Sequence.DESIGN_INDUSTRY,
            Sequence.DESIGN_SPECIALTY,
            Sequence.DESIGN_SPECIAL_ITEM,
        }
    ),
    "quality_testing": frozenset({Sequence.TESTING_COMPREHENSIVE, Sequence.TESTING_SPECIAL_ITEM}),
    # 工程造价咨询企业资质 was abolished in 2021: a cost-consulting firm holds none of these.
    "cost_consulting": frozenset(),
}

UNGRADED = "不分等级"

# 资质类别 as a filing's qualification row shows it (the coarse sequence a clerk reads on the certificate),
# derived from the name on save (fields.derive_columns), so it is never typed twice.
CLASS_LABELS: dict[str, str] = {
    "construction_comprehensive": "施工综合资质",
    "general_contracting": "施工总承包",
    "specialty_contracting": "专业承包",
    "specialist_work": "专业作业",
    "supervision": "监理",
    "survey": "勘察",
    "design": "设计",
    "testing": "检测",
}
CLASS_OF_SEQUENCE: dict[Sequence, str] = {
    Sequence.CONSTRUCTION_COMPREHENSIVE: "construction_comprehensive",
    Sequence.GENERAL_CONTRACTING: "general_contracting",
    Sequence.SPECIALTY_CONTRACTING: "specialty_contracting",
    Sequence.SPECIALIST_WORK: "specialist_work",
    Sequence.SUPERVISION_COMPREHENSIVE: "supervision",
    Sequence.SUPERVISION_SPECIALTY: "supervision",
    Sequence.SUPERVISION_FIRM: "supervision",
    Sequence.SURVEY_COMPREHENSIVE: "survey",
    Sequence.SURVEY_SPECIALTY: "survey",
    Sequence.SURVEY_LABOUR: "survey",
    Sequence.DESIGN_COMPREHENSIVE: "design",
    Sequence.DESIGN_INDUSTRY: "design",
    Sequence.DESIGN_SPECIALTY: "design",
    Sequence.DESIGN_SPECIAL_ITEM: "design",
    Sequence.TESTING_COMPREHENSIVE: "testing",
    Sequence.TESTING_SPECIAL_ITEM: "testing",
}

# A qualification's status (资质状态): only 有效 may be approved. The registry's wordings map onto these,
# so a synced row keeps what the registry says; a wording not listed here is refused by the sync.
VALID_STATUS = "valid"
STATUS_LABELS: dict[str, str] = {
    VALID_STATUS: "有效",
    "suspended": "暂停",
    "withdrawn": "撤回",
    "cancelled": "注销",
}
REGISTRY_STATUS_WORDINGS: dict[str, str] = {
    "有效": VALID_STATUS,
    "正常": VALID_STATUS,
    "暂停": "suspended",
    "暂扣": "suspended",
    "暂停使用": "suspended",
    "撤回": "withdrawn",
    "撤销": "withdrawn",
    "已撤回": "withdrawn",
    "注销": "cancelled",
    "已注销": "cancelled",
}


@dataclass(frozen=True)
class Qualification:
    name: str  # the current name, e.g. 建筑工程施工总承包甲级
    sequence: Sequence
    category: str  # 类别, e.g. 建筑工程
    grade: str  # 甲级 / 乙级 / 不分等级
    former_names: tuple[str, ...] = ()

    @property
    def sequence_label(self) -> str:
        return SEQUENCE_LABELS[self.sequence]


# ---------------------------------------------------------------------------- the entries

GENERAL_CONTRACTING_CATEGORIES = (
    "建筑工程",
    "公路工程",
    "铁路工程",
    "港口与航道工程",
    "水利水电工程",
    "市政公用工程",
    "电力工程",
    "矿山工程",
    "冶金工程",
    "石油化工工程",
    "通信工程",
    "机电工程",
    "民航工程",
)
# 专业承包 after the reform; the value lists former categories merged into it.
SPECIALTY_CONTRACTING_CATEGORIES: dict[str, tuple[str, ...]] = {
    "建筑装修装饰工程": ("建筑装饰装修工程",),
    "建筑机电工程": ("建筑机电安装工程", "消防设施工程", "电子与智能化工程"),
    "地基基础工程": (),
    "起重设备安装工程": (),
    "防水防腐保温工程": (),
    "建筑幕墙工程": (),
    "古建筑工程": (),
    "城市及道路照明工程": (),
    "桥梁工程": (),
    "隧道工程": (),
    "钢结构工程": (),
    "环保工程": (),
    "公路工程类": ("公路路面工程", "公路路基工程", "公路交通工程"),
    "港口与航道工程类": ("港口与海岸工程", "航道工程", "通航建筑物工程", "港航设备安装及水上交管工程"),
    "铁路电务电气化工程": ("铁路电务工程", "铁路电气化工程", "铁路铺轨架梁工程"),
    "水利水电工程类": ("水工金属结构制作与安装工程", "水利水电机电安装工程", "河湖整治工程"),
    "输变电工程": (),
    "核工程": (),
}
SPECIALTY_CONTRACTING_UNGRADED = ("预拌混凝土", "模板脚手架", "特种工程")
SUPERVISION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "建筑工程": ("房屋建筑工程",),
    "铁路工程": (),
    "市政公用工程": (),
    "电力工程": (),
    "矿山工程": (),
    "冶金工程": (),
    "石油化工工程": (),
    "通信工程": (),
    "机电工程": ("机电安装工程",),
    "民航工程": (),
    "水利水电工程": (),
    "公路工程": (),
    "港口与航道工程": (),
    "农林工程": (),
}
SURVEY_SPECIALTIES = ("岩土工程", "工程测量", "勘探测试")
SURVEY_LABOUR = ("工程钻探", "凿井")
DESIGN_INDUSTRIES = (
    "建筑",
    "市政",
    "公路",
    "铁路",
    "水利",
    "电力",
    "煤炭",
    "化工石化医药",
    "石油天然气（海洋石油）",
    "冶金",
    "机械",
    "军工",
    "商物粮",
    "核工业",
    "电子通信广电",
    "轻纺",
    "建材",
    "农林",
    "水运",
    "民航",
    "海洋",
)
DESIGN_SPECIAL_ITEMS = (
    "建筑装饰工程",
    "建筑智能化系统",
    "照明工程",
    "建筑幕墙工程",
    "轻型钢结构工程",
    "风景园林工程",
    "消防设施工程",
    "环境工程",
)
TESTING_SPECIAL_ITEMS = (
    "建筑材料及构配件",
    "主体结构及装饰装修",
    "钢结构",
    "地基基础",
    "建筑节能",
    "建筑幕墙",
    "市政工程材料",
    "道路工程",
    "桥梁及地下工程",
)

# Former grade → grade after the reform (三级 and 丙级 were raised into 乙级).
GRADE_SUCCESSORS = {"甲级": ("甲级", "一级", "壹级"), "乙级": ("乙级", "二级", "贰级", "三级", "叁级", "丙级")}


def _graded(
    sequence: Sequence,
    category: str,
    suffix: str,
    former_categories: tuple[str, ...] = (),
    former_suffixes: tuple[str, ...] = (),
) -> list[Qualification]:
    entries = []
    for grade, former_grades in GRADE_SUCCESSORS.items():
        formers = {
            f"{cat}{suf}{old}"
            for cat in (category, *former_categories)
            for suf in (suffix, *former_suffixes)
            for old in former_grades
        } - {f"{category}{suffix}{grade}"}
        entries.append(Qualification(f"{category}{suffix}{grade}", sequence, category, grade, tuple(sorted(formers))))
    return entries


def _build() -> tuple[Qualification, ...]:
    entries: list[Qualification] = [
        Qualification(
            "施工综合资质",
            Sequence.CONSTRUCTION_COMPREHENSIVE,
            "综合",
            UNGRADED,
            tuple(f"{cat}施工总承包特级" for cat in GENERAL_CONTRACTING_CATEGORIES),
        ),
        Qualification(
            "专业作业资质",
            Sequence.SPECIALIST_WORK,
            "专业作业",
            UNGRADED,
            ("施工劳务不分等级", "施工劳务资质", "施工劳务企业资质", "专业作业不分等级"),
        ),
        Qualification("工程监理综合资质", Sequence.SUPERVISION_COMPREHENSIVE, "综合", UNGRADED, ("监理综合资质",)),
        Qualification("工程监理事务所资质", Sequence.SUPERVISION_FIRM, "事务所", UNGRADED, ("监理事务所资质",)),
        Qualification("工程勘察综合资质", Sequence.SURVEY_COMPREHENSIVE, "综合", UNGRADED, ("工程勘察综合类甲级",)),
        Qualification("工程设计综合资质", Sequence.DESIGN_COMPREHENSIVE, "综合", UNGRADED, ("工程设计综合资质甲级",)),
        Qualification(
            "建设工程质量检测机构综合资质", Sequence.TESTING_COMPREHENSIVE, "综合", UNGRADED, ("检测机构综合资质",)
        ),
    ]
    for category in GENERAL_CONTRACTING_CATEGORIES:
        entries += _graded(Sequence.GENERAL_CONTRACTING, category, "施工总承包")
    for category, formers in SPECIALTY_CONTRACTING_CATEGORIES.items():
        entries += _graded(Sequence.SPECIALTY_CONTRACTING, category, "专业承包", formers)
    for category in SPECIALTY_CONTRACTING_UNGRADED:
        entries.append(
            Qualification(
                f"{category}专业承包{UNGRADED}",
                Sequence.SPECIALTY_CONTRACTING,
                category,
                UNGRADED,
                (f"{category}专业承包", f"{category}专业承包资质"),
            )
        )
    for category, formers in SUPERVISION_CATEGORIES.items():
        entries += _graded(Sequence.SUPERVISION_SPECIALTY, category, "监理", formers, ("工程监理",))
    for specialty in SURVEY_SPECIALTIES:
        entries += _graded(Sequence.SURVEY_SPECIALTY, specialty, "勘察专业", (), ("专业",))
    for labour in SURVEY_LABOUR:
        entries.append(
            Qualification(f"工程勘察劳务资质（{labour}）", Sequence.SURVEY_LABOUR, labour, UNGRADED, (f"{labour}劳务",))
        )
    for industry in DESIGN_INDUSTRIES:
        entries += _graded(Sequence.DESIGN_INDUSTRY, industry, "行业设计", (), ("行业",))
        entries += _graded(Sequence.DESIGN_SPECIALTY, industry, "行业专业设计", (), ("专业",))
    for item in DESIGN_SPECIAL_ITEMS:
        entries += _graded(Sequence.DESIGN_SPECIAL_ITEM, item, "专项设计", (), ("设计专项",))
    for item in TESTING_SPECIAL_ITEMS:
        entries.append(
            Qualification(
                f"建设工程质量检测机构专项资质（{item}）",
                Sequence.TESTING_SPECIAL_ITEM,
                item,
                UNGRADED,
                (f"{item}专项检测", f"检测机构专项资质（{item}）"),
            )
        )
    return tuple(entries)


QUALIFICATIONS: tuple[Qualification, ...] = _build()
BY_NAME: dict[str, Qualification] = {q.name: q for q in QUALIFICATIONS}

_MATCHER: Matcher[Qualification] = Matcher(
    [(q.name, q) for q in QUALIFICATIONS] + [(former, q) for q in QUALIFICATIONS for former in q.former_names],
    shown=lambda q: q.name,
)


def match_qualification(text: str) -> Match[Qualification]:
    """The entry a typed or printed qualification name stands for, or the nearest names."""
    return _MATCHER.match(text)


def class_of_name(text: str) -> str | None:
    """The 资质类别 of a qualification name the catalogue knows (None for an unknown name)."""
    entry = match_qualification(text).entry
    return CLASS_OF_SEQUENCE[entry.sequence] if entry is not None else None


def status_of_wording(text: str) -> str | None:
    """The status code a registry wording (or a status code itself) stands for, None when unknown."""
    wording = text.strip()
    if wording in STATUS_LABELS:
        return wording
    return REGISTRY_STATUS_WORDINGS.get(wording)


def may_hold(enterprise_type: str, qualification: Qualification) -> bool:
    return qualification.sequence in SEQUENCE_HOLDERS.get(enterprise_type, frozenset())


# The "main" qualification of an enterprise, for the technical responsible person's fit: the highest
# sequence it holds, in this order, then the higher grade.
SEQUENCE_RANK = tuple(Sequence)
GRADE_RANK = ("甲级", UNGRADED, "乙级")


def main_qualification(qualifications: list[Qualification]) -> Qualification | None:
    if not qualifications:
        return None
    return min(qualifications, key=lambda q: (SEQUENCE_RANK.index(q.sequence), GRADE_RANK.index(q.grade)))
