"""The catalogues: former names map to what they became, spellings normalise, unknown names get suggestions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.domain.catalogues import certificates, check_catalogue_name, qualifications
from entryfiling.domain.catalogues.fit import certificate_fits, fit_for
from entryfiling.domain.catalogues.matching import normalise
from entryfiling.domain.validators import InvalidValue


@pytest.mark.parametrize(
    ("printed", "current"),
    [
        ("建筑工程施工总承包贰级", "建筑工程施工总承包乙级"),
        ("建筑工程施工总承包壹级", "建筑工程施工总承包甲级"),
        ("市政公用工程施工总承包三级", "市政公用工程施工总承包乙级"),
        ("建筑工程施工总承包特级", "施工综合资质"),
        ("建筑装饰装修工程专业承包二级", "建筑装修装饰工程专业承包乙级"),
        ("消防设施工程专业承包一级", "建筑机电工程专业承包甲级"),
        ("施工劳务不分等级", "专业作业资质"),
        ("房屋建筑工程监理丙级", "建筑工程监理乙级"),
        ("建筑工程 施工总承包 2 等级", "建筑工程施工总承包乙级"),
    ],
)
def test_former_and_variant_names_map_to_the_current_qualification(printed, current):
    assert qualifications.match_qualification(printed).entry.name == current


def test_each_enterprise_type_holds_only_its_own_sequences():
    supervision = qualifications.match_qualification("工程监理综合资质").entry
    construction = qualifications.match_qualification("建筑工程施工总承包贰级").entry
    assert qualifications.may_hold("supervision", supervision)
    assert not qualifications.may_hold("construction", supervision)
    assert not qualifications.may_hold("supervision", construction)
    assert not qualifications.may_hold("cost_consulting", construction)


def test_an_unknown_name_is_refused_with_the_nearest_names():
    with pytest.raises(InvalidValue) as refused:
        check_catalogue_name("qualification", "建筑施工总承包二级")
    assert "建筑工程施工总承包乙级" in refused.value.message
    with pytest.raises(InvalidValue):
        check_catalogue_name("qualification", "测试")


@given(st.sampled_from(qualifications.QUALIFICATIONS), st.lists(st.sampled_from(" 　·-"), max_size=3))
def test_spacing_and_punctuation_never_change_the_match(entry, noise):
    spaced = "".join(noise) + entry.name[:2] + "".join(noise) + entry.name[2:]
    assert qualifications.match_qualification(spaced).entry == entry


@given(st.text(max_size=30))
def test_normalising_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


def test_certificate_types_and_official_number_formats():
    assert certificates.match_certificate_type("注册土木工程师(岩土)").entry.code == "geotechnical_engineer"
    assert certificates.match_certificate_type("一级建造师").entry.code == "constructor_1"
    constructor = certificates.BY_CODE["constructor_1"]
    assert certificates.number_matches_format(constructor, "皖1342010201812345")
    assert not certificates.number_matches_format(constructor, "1111111")
    assert certificates.number_matches_format(certificates.BY_CODE["safety_b"], "皖建安B（2019）0101234")


def test_technical_person_fit_follows_the_main_qualification():
    building = qualifications.match_qualification("建筑工程施工总承包贰级").entry
    row = fit_for(building)
    assert certificate_fits(row, "constructor_1", "建筑工程")
    assert not certificate_fits(row, "constructor_1", "公路工程")
    assert not certificate_fits(row, "supervision_engineer", "房屋建筑工程")
    supervision = fit_for(qualifications.match_qualification("工程监理综合资质").entry)
    assert certificate_fits(supervision, "supervision_engineer", "")
