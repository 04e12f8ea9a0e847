"""The businesses (业务) of the seed manual, declared as data.

A business is its sections, the attachments they need, the approval rules it runs and the
effects approval has on the enterprise's filed record. Adding a business means adding a
declaration here; the save / attach / letter / submit / approve path is shared by all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from entryfiling.domain.fields import (
    PDF,
    AttachmentKind,
    Field,
    FieldType,
    Section,
    option_tuple,
)


class EnterpriseType(StrEnum):
    CONSTRUCTION = "construction"
    SUPERVISION = "supervision"
    SURVEY = "survey"
    DESIGN = "design"
    QUALITY_TESTING = "quality_testing"
    COST_CONSULTING = "cost_consulting"


ENTERPRISE_TYPE_LABELS: dict[EnterpriseType, str] = {
    EnterpriseType.CONSTRUCTION: "施工企业",
    EnterpriseType.SUPERVISION: "监理企业",
    EnterpriseType.SURVEY: "勘察企业",
    EnterpriseType.DESIGN: "设计企业",
    EnterpriseType.QUALITY_TESTING: "工程质量检测机构",
    EnterpriseType.COST_CONSULTING: "造价咨询企业",
}

ENTERPRISE_LEVEL_TYPES = frozenset(EnterpriseType) - {EnterpriseType.COST_CONSULTING}


class Effect(StrEnum):
    """What approval does to the enterprise's filed record."""

    APPLY_SECTIONS = "apply_sections"  # sections with a record_key replace their part of the record
    START_PUBLICITY = "start_publicity"  # the enterprise is published for the validity period
    EXTEND_PUBLICITY = "extend_publicity"


# Provinces an out-of-region (区外) enterprise can be registered in: every one but Xinjiang.
PROVINCES = option_tuple(
    *[
        (name, name)
        for name in (
            "北京市",
            "天津市",
            "河北省",
            "山西省",
            "内蒙古自治区",
            "辽宁省",
            "吉林省",
            "黑龙江省",
            "上海市",
            "江苏省",
            "浙江省",
            "安徽省",
            "福建省",
            "江西省",
            "山东省",
            "河南省",
            "湖北省",
            "湖南省",
            "广东省",
            "广西壮族自治区",
            "海南省",
            "重庆市",
            "四川省",
            "贵州省",
            "云南省",
            "西藏自治区",
            "陕西省",
            "甘肃省",
            "青海省",
            "宁夏回族自治区",
            "香港特别行政区",
            "澳门特别行政区",
            "台湾省",
        )
    ]
)

PROFESSIONAL_TITLES = option_tuple(
    ("senior_professor", "正高级工程师"),
    ("senior", "高级工程师"),
    ("intermediate", "工程师"),
)

# ---------------------------------------------------------------------------- attachments

COMMITMENT_LETTER = AttachmentKind(
    "commitment_letter",
    "企业诚信守法承诺书（签字盖章版）",
    content_types=(PDF,),
    description="下载系统生成的承诺书，由法定代表人签字并加盖企业公章后扫描为 PDF 上传",
)

# ---------------------------------------------------------------------------- sections

BASIC_INFO = Section(
    "basic_info",
    "企业基本情况",
    record_key="basic_info",
    fields=(
        Field("enterprise_name", "企业名称", required=True),
        Field("uscc", "统一社会信用代码", FieldType.USCC, required=True),
        Field("registered_province", "注册地省份", FieldType.ENUM, required=True, options=PROVINCES),
        Field("registered_address", "注册地址", required=True),
        Field("registered_capital", "注册资本", FieldType.AMOUNT, required=True, unit="万元"),
        Field("established_on", "成立日期", FieldType.DATE, required=True),
        Field("legal_representative_name", "法定代表人姓名", required=True, max_length=50),
        Field("legal_representative_id_number", "法定代表人身份证号", FieldType.ID_NUMBER, required=True),
        Field("legal_representative_mobile", "法定代表人手机号码", FieldType.MOBILE),
        Field("contact_name", "联系人", required=True, max_length=50),
        Field("contact_phone", "联系电话", FieldType.PHONE, required=True),
        Field("email", "电子邮箱", FieldType.EMAIL),
        Field("xinjiang_office_address", "驻疆办公地址", required=True),
        Field("business_scope", "经营范围", FieldType.TEXTAREA),
    ),
    attachments=(
        AttachmentKind("business_license", "营业执照（副本）扫描件"),
        AttachmentKind("legal_representative_id_card", "法定代表人身份证正反面扫描件", max_count=2),
    ),
)

QUALIFICATIONS = Section(
    "qualifications",
    "企业资质情况",
    record_key="qualifications",
    fields=(
        Field(
            "qualifications",
            "资质",
            FieldType.TABLE,
            required=True,
            min_rows=1,
            max_rows=50,
            columns=(
                Field("name", "资质", required=True, prompt="如：建筑工程施工总承包贰级"),
                Field("certificate_number", "资质证书编号", required=True, max_length=50),
                Field("valid_until", "证书有效期", FieldType.DATE, required=True, expires=True),
                Field("issuing_authority", "发证机关", max_length=100),
                Field("issued_on", "发证日期", FieldType.DATE, required=True),
            ),
        ),
        Field("safety_license_number", "安全生产许可证编号", max_length=50),
    ),
    attachments=(AttachmentKind("qualification_certificates", "资质证书扫描件", max_count=20),),
)

RESPONSIBLE_PERSON = Section(
    "responsible_person",
    "进疆负责人",
    record_key="responsible_person",
    description="须选择已在小程序实名认证并与本企业建立聘用关系的人员",
    fields=(
        Field("person", "进疆负责人", FieldType.PERSON, required=True),
        Field("position", "职务", required=True, max_length=50),
        Field("mobile", "手机号码", FieldType.MOBILE, required=True),
        Field("office_phone", "办公电话", FieldType.PHONE),
    ),
    attachments=(
        AttachmentKind("responsible_person_appointment", "进疆负责人授权委托书或任命文件"),
        AttachmentKind("responsible_person_id_card", "进疆负责人身份证正反面扫描件", max_count=2),
    ),
)

TECHNICAL_PERSON = Section(
    "technical_person",
    "进疆技术负责人",
    record_key="technical_person",
    description="须选择已在小程序实名认证并与本企业建立聘用关系的人员",
    fields=(
        Field("person", "进疆技术负责人", FieldType.PERSON, required=True),
        Field("professional_title", "职称", FieldType.ENUM, required=True, options=PROFESSIONAL_TITLES),
        Field("title_certificate_number", "职称证书编号", required=True, max_length=50),
        Field("mobile", "手机号码", FieldType.MOBILE, required=True),
    ),
    attachments=(
        AttachmentKind("technical_title_certificate", "职称证书扫描件", max_count=2),
        AttachmentKind("technical_person_appointment", "进疆技术负责人任命文件"),
    ),
)

# ---------------------------------------------------------------------------- businesses

# Rules every business runs; a business may add its own (see rules.RULES).
COMMON_RULES = (
    "sections_complete",
    "commitment_agreed",
    "signed_letter_present",
    "signed_letter_readable",
    "uscc_matches_certificate",
    "persons_verified_employed",
    "no_other_open_filing",
)


@dataclass(frozen=True)
class Business:
    key: str
    number: int
    label: str
    applies_to: frozenset[EnterpriseType]
    sections: tuple[Section, ...]
    rules: tuple[str, ...] = COMMON_RULES
    effects: tuple[Effect, ...] = (Effect.APPLY_SECTIONS,)
    # Change businesses need an enterprise whose first filing was approved.
    requires_filed_enterprise: bool = True
    submission_attachments: tuple[AttachmentKind, ...] = (COMMITMENT_LETTER,)
    description: str = ""

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def attachment_kinds(self) -> tuple[AttachmentKind, ...]:
        kinds = [kind for section in self.sections for kind in section.attachments]
        return (*kinds, *self.submission_attachments)

    def attachment_kind(self, key: str) -> AttachmentKind | None:
        return next((k for k in self.attachment_kinds if k.key == key), None)

    def section_of_attachment(self, key: str) -> Section | None:
        return next((s for s in self.sections if any(k.key == key for k in s.attachments)), None)


FIRST_FILING = Business(
    key="first_filing",
    number=1,
    label="首次信息报送",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(BASIC_INFO, QUALIFICATIONS, RESPONSIBLE_PERSON, TECHNICAL_PERSON),
    rules=(*COMMON_RULES, "qualifications_unexpired"),
    effects=(Effect.APPLY_SECTIONS, Effect.START_PUBLICITY),
    requires_filed_enterprise=False,
    description="区外企业首次进疆信息报送：企业基本情况、企业资质情况、进疆负责人、进疆技术负责人",
)

BUSINESSES: dict[str, Business] = {b.key: b for b in (FIRST_FILING,)}

# Where the commitment letter finds its parties in the (filed record overlaid with the draft).
LETTER_LEGAL_REPRESENTATIVE = ("basic_info", "legal_representative_name", "legal_representative_id_number")
LETTER_RESPONSIBLE_PERSON = ("responsible_person", "person")
