"""Plausibility checks: what a careful clerk notices in a filing that is complete but not true.

Each check is a pure function of the approval context (facts from the database and the registry are
gathered by the use case beforehand) and returns Chinese reasons; ``rules.RULES`` declares them with
their stage and what a failure does. The tables below are the data the checks read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from entryfiling import messages as msg
from entryfiling.domain.catalogues import certificates as cert_catalogue
from entryfiling.domain.catalogues import qualifications as qual_catalogue
from entryfiling.domain.fields import Field, FieldType, Section


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Business(Protocol):
    @property
    def sections(self) -> tuple[Section, ...]: ...

    def section(self, key: str) -> Section | None: ...


class ApprovalContext(Protocol):
    """What these checks read of ``rules.ApprovalContext``; declared here so the modules do not import each other."""

    @property
    def business(self) -> _Business: ...
    @property
    def sections(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def persons(self) -> Mapping[int, _Named]: ...
    @property
    def today(self) -> date: ...
    @property
    def enterprise_uscc(self) -> str: ...
    @property
    def enterprise_type(self) -> str: ...
    @property
    def enterprise_type_label(self) -> str: ...
    @property
    def age_range(self) -> tuple[int, int]: ...
    @property
    def person_id_numbers(self) -> Mapping[int, str]: ...
    @property
    def known_names_by_id_number(self) -> Mapping[str, str]: ...
    @property
    def roles_elsewhere(self) -> Mapping[int, tuple[tuple[str, str], ...]]: ...


# ---------------------------------------------------------------------------- tables

# Values people type when they do not know or do not care (compared in NFKC, upper case, no spaces).
PLACEHOLDERS = frozenset(
    {
        "张三",
        "李四",
        "王五",
        "赵六",
        "某某",
        "某某某",
        "测试",
        "测试企业",
        "测试公司",
        "测试地址",
        "TEST",
        "TESTING",
        "DEMO",
        "ABC",
        "ASDF",
        "QWER",
        "XXX",
        "XX",
        "无",
        "暂无",
        "未知",
        "不详",
        "待定",
        "NULL",
        "NONE",
        "N/A",
        "NA",
        "123",
        "1234",
        "12345",
        "123456",
    }
)
PLACEHOLDER_PARTS = ("测试", "TEST", "某某", "XXX", "ASDF")
# Identifiers, amounts, dates and choices are validated by their own rules.
JUNK_CHECKED_TYPES = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.EMAIL, FieldType.MOBILE, FieldType.PHONE})
# A run of one letter or character this long is never a real name or address.
REPEAT_RUN = 4
# Fields (by key, in any section or table) holding a Chinese person's name, an address, an organisation.
PERSON_NAME_FIELDS = frozenset({"legal_representative_name", "contact_name", "head_name"})
ADDRESS_FIELDS = frozenset({"registered_address", "xinjiang_office_address", "address"})
ORGANISATION_FIELDS = frozenset(
    {"enterprise_name", "office_name", "client_name", "issuing_authority", "issuer", "safety_license_issuer"}
)
# Chinese names: 2–6 Han characters, with the middle dot of minority names (阿依古丽·买买提).
CHINESE_NAME = re.compile(r"[\u4e00-\u9fff]{1,15}(?:[·•][\u4e00-\u9fff]{1,15})*")
TEST_EMAIL = re.compile(r"^(test|demo|abc|admin|xxx|asdf|[0-9a-z])@|@(example\.(com|org|net)|test\.com)$")
TEST_MOBILES = frozenset({"13800138000", "13800000000", "13000000000"})

# Pairs of fields (section.field) that never hold the same value: a copy-paste slip or filler.
UNRELATED_FIELDS = (
    ("basic_info.enterprise_name", "basic_info.registered_address"),
    ("basic_info.enterprise_name", "basic_info.xinjiang_office_address"),
    ("basic_info.enterprise_name", "basic_info.business_scope"),
    ("basic_info.enterprise_name", "basic_info.legal_representative_name"),
    ("basic_info.enterprise_name", "basic_info.contact_name"),
    ("basic_info.registered_address", "basic_info.xinjiang_office_address"),
    ("basic_info.registered_address", "basic_info.business_scope"),
    ("responsible_person.position", "responsible_person.office_phone"),
    ("technical_person.title_certificate_number", "qualifications.safety_license_number"),
    ("technical_person.title_certificate_number", "technical_person.registered_certificate_number"),
    ("xinjiang_office.office_name", "xinjiang_office.address"),
    ("project.project_name", "project.address"),
    ("project.project_name", "project.client_name"),
)

# GB/T 2260 province codes: the 3rd–4th characters of a USCC name the registering authority's province.
PROVINCE_CODES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "66": "新疆生产建设兵团",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
XINJIANG_CODES = frozenset({"65", "66"})
# Registered by the national market regulator (region 100000): any province may be the seat.
NATIONAL_CODE = "10"

# Registered capital in 万元: above zero and at most 1 万亿元 (the largest builders hold a few 千亿).
MAX_REGISTERED_CAPITAL = Decimal("100000000")

# Official number formats, by field key (NFKC form).
QUALIFICATION_NUMBER = re.compile(r"[A-Z][0-9]{9}")
# (省简称)JZ安许证字[年]编号, e.g. (新)JZ安许证字[2020]000123. Compared in NFKC, where （）［］ are () and [];
# 〔〕 and 【】 are the other brackets printed on licences.
PROVINCE_ABBREVIATIONS = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台兵"
SAFETY_LICENCE_NUMBER = re.compile(
    rf"[(〔\[【]?[{PROVINCE_ABBREVIATIONS}][)〕\]】]?JZ安许证字[(〔\[【]?(?:19|20)[0-9]{{2}}[)〕\]】]?[0-9]{{5,8}}"
)


@dataclass(frozen=True)
class Licence:
    """A licence a section declares as plain fields (number, issue date, expiry), with how long one runs."""

    label: str
    number: str
    issued: str
    until: str
    valid_years: int
    number_format: re.Pattern[str]


# 安全生产许可证 (《安全生产许可证条例》第九条): valid three years, numbered (省简称)JZ安许证字[年]编号.
LICENCES = (
    Licence(
        "安全生产许可证",
        "safety_license_number",
        "safety_license_issued_on",
        "safety_license_valid_until",
        3,
        SAFETY_LICENCE_NUMBER,
    ),
)

# 驻疆机构 floor area in m²: an office smaller than a desk or larger than a tower block is not one.
OFFICE_AREA_BOUNDS = (Decimal(5), Decimal(50000))

# Longest plausible validity (years) of a dated document, by the section holding it: qualification
# certificates and registrations of registered persons run five years; skill certificates may not lapse.
MAX_VALIDITY_YEARS = {"qualifications": 5, "registered_certificates": 5}
VALIDITY_SLACK_DAYS = 31


# ---------------------------------------------------------------------------- helpers


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def text_values(ctx: ApprovalContext) -> Iterator[tuple[str, str, Field, str]]:
    """(label for the user, field key, field, value) of every text value in the filing, tables included."""
    for section in ctx.business.sections:
        values = ctx.sections.get(section.key) or {}
        for fld in section.fields:
            value = values.get(fld.key)
            if fld.type is FieldType.TABLE:
                for index, row in enumerate(value or []):
                    for column in fld.columns:
                        if isinstance(row.get(column.key), str):
                            label = f"{section.label}·{fld.label}第{index + 1}行{column.label}"
                            yield label, column.key, column, row[column.key]
            elif isinstance(value, str):
                yield f"{section.label}·{fld.label}", fld.key, fld, value


def _junk_reason(key: str, fld: Field, value: str) -> str | None:
    folded = _fold(value)
    if fld.type not in JUNK_CHECKED_TYPES:
        return None
    if folded in PLACEHOLDERS or (fld.type is FieldType.TEXT and any(p in folded for p in PLACEHOLDER_PARTS)):
        return msg.JUNK_PLACEHOLDER.format(value=value)
    # Numbers have runs of zeros (E132000001); letters and characters repeated are filler (啊啊啊啊, XXXX).
    repeated = re.search(rf"(\D)\1{{{REPEAT_RUN - 1},}}", folded) or (len(folded) >= 2 and len(set(folded)) == 1)
    if repeated and fld.type in (FieldType.TEXT, FieldType.TEXTAREA):
        return msg.JUNK_REPEATED.format(value=value)
    if key in PERSON_NAME_FIELDS and not CHINESE_NAME.fullmatch(unicodedata.normalize("NFKC", value).strip()):
        return msg.JUNK_NOT_A_NAME.format(value=value)
    if key in ADDRESS_FIELDS and len(re.findall(r"[\u4e00-\u9fff]", value)) < 4:
        return msg.JUNK_NOT_AN_ADDRESS.format(value=value)
    if key in ORGANISATION_FIELDS and len(re.findall(r"[\u4e00-\u9fff]", value)) < 2:
        return msg.JUNK_NOT_AN_ORGANISATION.format(value=value)
    if fld.type is FieldType.EMAIL and TEST_EMAIL.search(value.lower()):
        return msg.JUNK_TEST_EMAIL.format(value=value)
    if fld.type in (FieldType.MOBILE, FieldType.PHONE):
        digits = re.sub(r"\D", "", value)
        if digits in TEST_MOBILES or re.search(r"(\d)\1{6,}", digits):
            return msg.JUNK_TEST_PHONE.format(value=value)
    return None


def _value_at(ctx: ApprovalContext, path: str) -> Any:
    section, key = path.split(".", 1)
    return (ctx.sections.get(section) or {}).get(key)


def _label_of(ctx: ApprovalContext, path: str) -> str:
    section_key, key = path.split(".", 1)
    section = ctx.business.section(section_key)
    fld = section.field(key) if section else None
    return f"{section.label}·{fld.label}" if section and fld else path


def age_on(id_number: str, day: date) -> int | None:
    """Age in whole years on ``day`` from an 18-digit ID number's birth date (None if unreadable)."""
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _parse(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------- checks


def no_junk_values(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for label, key, fld, value in text_values(ctx):
        if (reason := _junk_reason(key, fld, value)) is not None:
            reasons.append(f"{label}：{reason}")
    return reasons


def unrelated_fields_differ(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for first, second in UNRELATED_FIELDS:
        a, b = _value_at(ctx, first), _value_at(ctx, second)
        if isinstance(a, str) and isinstance(b, str) and a.strip() and _fold(a) == _fold(b):
            reasons.append(msg.JUNK_SAME_VALUE.format(first=_label_of(ctx, first), second=_label_of(ctx, second)))
    return reasons


def ages_in_range(ctx: ApprovalContext) -> list[str]:
    """The legal representative and the responsible persons are of working age on the submission date."""
    low, high = ctx.age_range
    reasons = []
    for role, id_number in _role_id_numbers(ctx):
        age = age_on(id_number, ctx.today)
        if age is not None and not low <= age <= high:
            reasons.append(msg.AGE_OUT_OF_RANGE.format(role=role, age=age, low=low, high=high))
    return reasons


def _role_id_numbers(ctx: ApprovalContext) -> Iterator[tuple[str, str]]:
    basic = ctx.sections.get("basic_info") or {}
    if basic.get("legal_representative_id_number"):
        yield "法定代表人", basic["legal_representative_id_number"]
    for section_key, role in (("responsible_person", "进疆负责人"), ("technical_person", "进疆技术负责人")):
        person_id = (ctx.sections.get(section_key) or {}).get("person")
        if person_id is not None and person_id in ctx.person_id_numbers:
            yield role, ctx.person_id_numbers[person_id]


def one_name_per_person(ctx: ApprovalContext) -> list[str]:
    """An ID number belongs to one person: the legal representative is not a known person under another name."""
    basic = ctx.sections.get("basic_info") or {}
    id_number, name = basic.get("legal_representative_id_number"), basic.get("legal_representative_name")
    if not id_number or not name:
        return []
    known = ctx.known_names_by_id_number.get(id_number)
    if known and _fold(known) != _fold(name):
        return [msg.SAME_ID_OTHER_NAME.format(name=name, known=known)]
    for person_id, number in ctx.person_id_numbers.items():
        person = ctx.persons.get(person_id)
        if number == id_number and person is not None and _fold(person.name) != _fold(name):
            return [msg.SAME_ID_OTHER_NAME.format(name=name, known=person.name)]
    return []


def persons_not_serving_elsewhere(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for person_id, roles in ctx.roles_elsewhere.items():
        person = ctx.persons.get(person_id)
        for role, enterprise in roles:
            name = person.name if person else str(person_id)
            reasons.append(msg.PERSON_SERVES_ELSEWHERE.format(name=name, role=role, enterprise=enterprise))
    return reasons


def dates_plausible(ctx: ApprovalContext) -> list[str]:
    reasons = []
    basic = ctx.sections.get("basic_info") or {}
    established = _parse(basic.get("established_on"))
    if established and established > ctx.today:
        reasons.append(msg.DATE_ESTABLISHED_FUTURE.format(date=established))
    for section in ctx.business.sections:
        values = ctx.sections.get(section.key) or {}
        for label, issued, until, limit in _dated_rows(section, values):
            if issued and issued > ctx.today:
                reasons.append(msg.DATE_ISSUED_FUTURE.format(label=label, date=issued))
            if issued and until and until < issued:
                reasons.append(msg.DATE_VALID_BEFORE_ISSUED.format(label=label, until=until, issued=issued))
            elif issued and until and limit and (until - _add_years(issued, limit)).days > VALIDITY_SLACK_DAYS:
                reasons.append(msg.DATE_VALIDITY_TOO_LONG.format(label=label, years=limit))
            if established and issued and issued < established and section.key in ("qualifications",):
                reasons.append(msg.DATE_ISSUED_BEFORE_ESTABLISHED.format(label=label, established=established))
    return reasons


def _dated_rows(section: Section, values: Mapping[str, Any]) -> Iterator[tuple[str, date | None, date | None, int]]:
    for fld in section.fields:
        if fld.type is not FieldType.TABLE or (fld.read_only and fld.key.startswith("cancelled")):
            continue
        keys = {c.key for c in fld.columns}
        if "issued_on" not in keys or "valid_until" not in keys:
            continue
        for index, row in enumerate(values.get(fld.key) or []):
            title = row.get("name") or row.get("certificate_number") or ""
            label = f"{section.label}·{fld.label}第{index + 1}行{('（' + title + '）') if title else ''}"
            yield (
                label,
                _parse(row.get("issued_on")),
                _parse(row.get("valid_until")),
                MAX_VALIDITY_YEARS.get(fld.key, 0),
            )


def uscc_region_plausible(ctx: ApprovalContext) -> list[str]:
    """The USCC's registering province is the registered province, and never Xinjiang (区外 enterprises only)."""
    uscc = ctx.enterprise_uscc or ""
    code = uscc[2:4]
    if code in XINJIANG_CODES:
        return [msg.USCC_XINJIANG.format(uscc=uscc)]
    basic = ctx.sections.get("basic_info") or {}
    province = basic.get("registered_province")
    if province == PROVINCE_CODES["65"]:
        return [msg.PROVINCE_XINJIANG]
    if province and code in PROVINCE_CODES and code != NATIONAL_CODE and PROVINCE_CODES[code] != province:
        return [msg.USCC_PROVINCE_MISMATCH.format(uscc=uscc, region=PROVINCE_CODES[code], province=province)]
    return []


def official_number_formats(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for section in ctx.business.sections:
        values = ctx.sections.get(section.key) or {}
        for fld in section.fields:
            if fld.type is not FieldType.TABLE or (fld.read_only and fld.key.startswith("cancelled")):
                continue
            for index, row in enumerate(values.get(fld.key) or []):
                number = row.get("certificate_number")
                if not number:
                    continue
                label = f"{section.label}·{fld.label}第{index + 1}行证书编号"
                if fld.key == "qualifications" and not QUALIFICATION_NUMBER.fullmatch(_fold(number)):
                    reasons.append(msg.NUMBER_FORMAT.format(label=label, value=number))
                kind = cert_catalogue.BY_CODE.get(row.get("certificate_type", ""))
                if kind is not None and not cert_catalogue.number_matches_format(kind, number):
                    reasons.append(msg.NUMBER_FORMAT.format(label=label, value=number))
    return reasons


def registered_capital_in_bounds(ctx: ApprovalContext) -> list[str]:
    raw = (ctx.sections.get("basic_info") or {}).get("registered_capital")
    if raw is None:
        return []
    try:
        capital = Decimal(str(raw))
    except InvalidOperation:
        return [msg.CAPITAL_OUT_OF_BOUNDS.format(value=raw, limit=MAX_REGISTERED_CAPITAL)]
    if not Decimal(0) < capital <= MAX_REGISTERED_CAPITAL:
        return [msg.CAPITAL_OUT_OF_BOUNDS.format(value=raw, limit=MAX_REGISTERED_CAPITAL)]
    return []


def _qualification_rows(ctx: ApprovalContext) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from enumerate((ctx.sections.get("qualifications") or {}).get("qualifications") or [])


def qualifications_fit_enterprise_type(ctx: ApprovalContext) -> list[str]:
    """A 监理 qualification on a construction enterprise (and the like) is not this enterprise's."""
    reasons = []
    type_label = ctx.enterprise_type_label
    seen: dict[str, int] = {}
    for index, row in _qualification_rows(ctx):
        entry = qual_catalogue.match_qualification(row.get("name", "")).entry
        if entry is None:
            reasons.append(msg.QUALIFICATION_UNKNOWN.format(row=index + 1, name=row.get("name", "")))
            continue
        if ctx.enterprise_type and not qual_catalogue.may_hold(ctx.enterprise_type, entry):
            reasons.append(
                msg.QUALIFICATION_WRONG_TYPE.format(
                    row=index + 1, name=row.get("name"), sequence=entry.sequence_label, enterprise_type=type_label
                )
            )
        same = f"{entry.sequence}|{entry.category}"
        if same in seen:
            reasons.append(msg.QUALIFICATION_TWICE.format(row=index + 1, first=seen[same] + 1, name=entry.name))
        else:
            seen[same] = index
    return reasons


# ---------------------------------------------------------------------------- licences (安全生产许可证)


def _licences(ctx: ApprovalContext) -> Iterator[tuple[str, Licence, Mapping[str, Any]]]:
    """(label, licence, section values) of every declared licence the business's sections carry."""
    for section in ctx.business.sections:
        values = ctx.sections.get(section.key) or {}
        for licence in LICENCES:
            if section.field(licence.number) is not None:
                yield f"{section.label}·{licence.label}", licence, values


def licence_number_format(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for label, licence, values in _licences(ctx):
        number = values.get(licence.number)
        if isinstance(number, str) and number and not licence.number_format.fullmatch(_fold(number)):
            reasons.append(msg.LICENCE_NUMBER_FORMAT.format(label=label, value=number))
    return reasons


def licence_issued_not_future(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for label, licence, values in _licences(ctx):
        issued = _parse(values.get(licence.issued))
        if issued and issued > ctx.today:
            reasons.append(msg.DATE_ISSUED_FUTURE.format(label=label, date=issued))
    return reasons


def licence_valid_after_issue(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for label, licence, values in _licences(ctx):
        issued, until = _parse(values.get(licence.issued)), _parse(values.get(licence.until))
        if issued and until and until < issued:
            reasons.append(msg.DATE_VALID_BEFORE_ISSUED.format(label=label, until=until, issued=issued))
    return reasons


def licence_validity_length(ctx: ApprovalContext) -> list[str]:
    """A licence runs its declared term from issue: a longer validity is not what was issued. (A shorter one
    is plausible: a licence re-issued after a change of name keeps the original expiry.)"""
    reasons = []
    for label, licence, values in _licences(ctx):
        issued, until = _parse(values.get(licence.issued)), _parse(values.get(licence.until))
        too_long = issued and until and (until - _add_years(issued, licence.valid_years)).days > VALIDITY_SLACK_DAYS
        if too_long:
            reasons.append(
                msg.LICENCE_VALIDITY_TOO_LONG.format(label=label, issued=issued, until=until, years=licence.valid_years)
            )
    return reasons


# ---------------------------------------------------------------------------- 驻疆机构 and qualification status


def office_area_in_bounds(ctx: ApprovalContext) -> list[str]:
    raw = (ctx.sections.get("xinjiang_office") or {}).get("office_area")
    if raw is None:
        return []
    low, high = OFFICE_AREA_BOUNDS
    try:
        area = Decimal(str(raw))
    except InvalidOperation:
        area = Decimal(-1)
    if not low <= area <= high:
        return [msg.OFFICE_AREA_OUT_OF_BOUNDS.format(value=raw, low=low, high=high)]
    return []


def qualifications_status_valid(ctx: ApprovalContext) -> list[str]:
    """Only a qualification the registry calls 有效 may be filed: 暂停, 撤回 and 注销 ones may not."""
    reasons = []
    for index, row in _qualification_rows(ctx):
        status = row.get("status")
        if status and status != qual_catalogue.VALID_STATUS:
            label = qual_catalogue.STATUS_LABELS.get(status, status)
            name = row.get("name", "")
            reasons.append(msg.QUALIFICATION_STATUS_INVALID.format(row=index + 1, name=name, status=label))
    return reasons
