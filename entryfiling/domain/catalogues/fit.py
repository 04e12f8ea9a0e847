"""Which registered certificate fits the technical responsible person of an enterprise, by its main
qualification (rule table; the first matching row decides).

A row: (sequence, category prefix or "" for any, certificate codes that fit, specialties that fit or ()
for any). Drawn from the 资质标准's 技术负责人 requirements: a 施工 enterprise's technical head holds a
注册建造师 of the qualification's field, a 监理 one a 注册监理工程师, 勘察 a 注册土木工程师（岩土）, 设计 a
注册建筑师 or 注册结构工程师 (or the industry's registered engineer), 检测 a 注册结构 or 岩土 engineer.
"""

from __future__ import annotations

from dataclasses import dataclass

from entryfiling.domain.catalogues.qualifications import Qualification, Sequence

CONSTRUCTORS = ("constructor_1", "constructor_2")


@dataclass(frozen=True)
class FitRow:
    sequences: frozenset[Sequence]
    category: str
    certificates: tuple[str, ...]
    specialties: tuple[str, ...] = ()


def _construction(category: str, specialty: str) -> FitRow:
    sequences = frozenset({Sequence.GENERAL_CONTRACTING, Sequence.SPECIALTY_CONTRACTING})
    return FitRow(sequences, category, CONSTRUCTORS, (specialty,))


TECHNICAL_PERSON_FIT: tuple[FitRow, ...] = (
    _construction("建筑工程", "建筑工程"),
    _construction("市政公用工程", "市政公用工程"),
    _construction("公路工程", "公路工程"),
    _construction("铁路工程", "铁路工程"),
    _construction("港口与航道工程", "港口与航道工程"),
    _construction("水利水电工程", "水利水电工程"),
    _construction("电力工程", "机电工程"),
    _construction("矿山工程", "矿业工程"),
    _construction("冶金工程", "矿业工程"),
    _construction("石油化工工程", "机电工程"),
    _construction("通信工程", "通信与广电工程"),
    _construction("机电工程", "机电工程"),
    _construction("建筑机电工程", "机电工程"),
    _construction("民航工程", "民航机场工程"),
    # Other 专业承包 categories sit in the building trade.
    FitRow(frozenset({Sequence.SPECIALTY_CONTRACTING}), "", CONSTRUCTORS, ("建筑工程", "市政公用工程", "机电工程")),
    FitRow(frozenset({Sequence.CONSTRUCTION_COMPREHENSIVE}), "", ("constructor_1",)),
    # 专业作业 has no registered-person requirement: any registered certificate or none is for a person to judge.
    FitRow(frozenset({Sequence.SPECIALIST_WORK}), "", ()),
    FitRow(
        frozenset({Sequence.SUPERVISION_COMPREHENSIVE, Sequence.SUPERVISION_SPECIALTY, Sequence.SUPERVISION_FIRM}),
        "",
        ("supervision_engineer",),
    ),
    FitRow(
        frozenset({Sequence.SURVEY_COMPREHENSIVE, Sequence.SURVEY_SPECIALTY, Sequence.SURVEY_LABOUR}),
        "",
        ("geotechnical_engineer",),
    ),
    FitRow(
        frozenset(
            {
                Sequence.DESIGN_COMPREHENSIVE,
                Sequence.DESIGN_INDUSTRY,
                Sequence.DESIGN_SPECIALTY,
                Sequence.DESIGN_SPECIAL_ITEM,
            }
        ),
        "",
        (
            "architect_1",
            "architect_2",
            "structural_engineer_1",
            "structural_engineer_2",
            "geotechnical_engineer",
            "electrical_engineer",
            "utility_engineer",
            "chemical_engineer",
            "water_engineer",
            "port_engineer",
            "road_engineer",
            "environmental_engineer",
        ),
    ),
    FitRow(
        frozenset({Sequence.TESTING_COMPREHENSIVE, Sequence.TESTING_SPECIAL_ITEM}),
        "",
        ("structural_engineer_1", "structural_engineer_2", "geotechnical_engineer"),
    ),
)


def fit_for(qualification: Qualification) -> FitRow | None:
    return next(
        (
            row
            for row in TECHNICAL_PERSON_FIT
            if qualification.sequence in row.sequences and qualification.category.startswith(row.category)
        ),
        None,
    )


def certificate_fits(row: FitRow, certificate_code: str, specialty: str) -> bool:
    if not row.certificates:
        return True
    if certificate_code not in row.certificates:
        return False
    return not row.specialties or any(s in (specialty or "") for s in row.specialties)
