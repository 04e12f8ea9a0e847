"""The businesses (业务) of the seed manual, declared as data.

A business is its sections, the attachments they need, the approval rules it runs and the
effects approval has on the enterprise's filed record. Adding a business means adding a
declaration here; the save / attach / letter / submit / approve path is shared by all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from entryfiling import messages as msg
from entryfiling.domain.catalogues import QUALIFICATION as QUALIFICATION_CATALOGUE
from entryfiling.domain.catalogues import QUALIFICATION_CLASS
from entryfiling.domain.catalogues.certificates import (
    CERTIFICATE_TYPES,
    OTHER_REGISTERED_CODE,
    OTHER_REGISTERED_LABEL,
    CertificateKind,
)
from entryfiling.domain.catalogues.qualifications import CLASS_LABELS, STATUS_LABELS
from entryfiling.domain.fields import (
    PDF,
    AttachmentKind,
    Field,
    FieldType,
    RecordMode,
    RegistrySync,
    Section,
    for_enterprise_type,
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

# Registered practising qualifications (注册执业资格) a technical responsible person may hold.
REGISTERED_PRACTICE_TYPES = option_tuple(
    *[(c.code, c.name) for c in CERTIFICATE_TYPES if c.kind is CertificateKind.REGISTERED]
)

PROFESSIONAL_TITLES = option_tuple(
    ("senior_professor", "正高级工程师"),
    ("senior", "高级工程师"),
    ("intermediate", "工程师"),
)

# What a qualification is called, per enterprise type: the example a clerk of that type recognises.
QUALIFICATION_EXAMPLES = (
    ("construction", "建筑工程施工总承包贰级"),
    ("supervision", "房屋建筑工程监理甲级"),
    ("survey", "工程勘察综合资质甲级"),
    ("design", "建筑行业（建筑工程）设计甲级"),
    ("quality_testing", "建设工程质量检测机构综合资质"),
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
        Field(
            "enterprise_name",
            "企业名称",
            required=True,
            synonyms=("公司名称", "单位名称", "企业全称"),
            prefill="certificate_name",
        ),
        Field(
            "uscc",
            "统一社会信用代码",
            FieldType.USCC,
            required=True,
            synonyms=("社会信用代码", "信用代码", "统一代码"),
            prefill="certificate_uscc",
        ),
        Field(
            "registered_province",
            "注册地省份",
            FieldType.ENUM,
            required=True,
            options=PROVINCES,
            synonyms=("注册省份", "注册地", "省份"),
        ),
        Field("registered_address", "注册地址", required=True, synonyms=("注册住所", "住所")),
        Field(
            "registered_capital",
            "注册资本",
            FieldType.AMOUNT,
            required=True,
            unit="万元",
            synonyms=("注册资金", "资本金"),
        ),
        Field("established_on", "成立日期", FieldType.DATE, required=True, synonyms=("成立时间", "成立于", "成立")),
        Field(
            "legal_representative_name",
            "法定代表人姓名",
            required=True,
            max_length=50,
            synonyms=("法定代表人", "法人代表", "法人"),
        ),
        Field(
            "legal_representative_id_number",
            "法定代表人身份证号",
            FieldType.ID_NUMBER,
            required=True,
            synonyms=("法定代表人身份证", "法人身份证号", "法人身份证"),
        ),
        Field(
            "legal_representative_mobile",
            "法定代表人手机号码",
            FieldType.MOBILE,
            synonyms=("法定代表人手机", "法人手机号", "法人手机"),
        ),
        Field("contact_name", "联系人", required=True, max_length=50, synonyms=("联系人姓名",)),
        Field("contact_phone", "联系电话", FieldType.PHONE, required=True, synonyms=("联系人电话", "联系方式")),
        Field("email", "电子邮箱", FieldType.EMAIL, synonyms=("邮箱", "电子邮件", "Email")),
        Field(
            "xinjiang_office_address", "驻疆办公地址", required=True, synonyms=("驻疆地址", "新疆办公地址", "新疆地址")
        ),
        Field("business_scope", "经营范围", FieldType.TEXTAREA, synonyms=("业务范围",)),
    ),
    attachments=(
        AttachmentKind("business_license", "营业执照（副本）扫描件"),
        AttachmentKind("legal_representative_id_card", "法定代表人身份证正反面扫描件", max_count=2),
    ),
)

# Only construction enterprises (施工企业) hold a 安全生产许可证
# (《安全生产许可证条例》, 《建筑施工企业安全生产许可证管理规定》).
CONSTRUCTION_ONLY = frozenset({EnterpriseType.CONSTRUCTION.value})

QUALIFICATION_CLASSES = option_tuple(*CLASS_LABELS.items())
QUALIFICATION_STATUSES = option_tuple(*STATUS_LABELS.items())

QUALIFICATION_COLUMNS = (
    Field(
        "name",
        "资质",
        required=True,
        catalogue=QUALIFICATION_CATALOGUE,
        synonyms=("资质名称",),
        examples=QUALIFICATION_EXAMPLES,
    ),
    # Derived from the name on save (the catalogue's sequence), never asked.
    Field(
        "category",
        "资质类别",
        FieldType.ENUM,
        options=QUALIFICATION_CLASSES,
        derived_from="name",
        derivation=QUALIFICATION_CLASS,
    ),
    Field(
        "certificate_number",
        "资质证书编号",
        required=True,
        max_length=50,
        synonyms=("证书编号", "证书号", "编号"),
    ),
    Field(
        "valid_until",
        "证书有效期",
        FieldType.DATE,
        required=True,
        expires=True,
        synonyms=("有效期至", "有效期到", "有效期", "到期日期", "到期"),
    ),
    Field("issuing_authority", "发证机关", max_length=100, synonyms=("发证单位", "发证部门")),
    Field("issued_on", "发证日期", FieldType.DATE, required=True, synonyms=("发证时间", "发证")),
    # 有效 / 暂停 / 撤回 / 注销: only 有效 may be approved; a synced row keeps the registry's status.
    Field(
        "status",
        "资质状态",
        FieldType.ENUM,
        required=True,
        options=QUALIFICATION_STATUSES,
        synonyms=("证书状态", "状态"),
    ),
)

SAFETY_LICENCE_FIELDS = (
    Field(
        "safety_license_number",
        "安全生产许可证编号",
        max_length=50,
        required_for=CONSTRUCTION_ONLY,
        # Not the bare 安许证: the number itself contains it ((皖)JZ安许证字[2020]000123).
        synonyms=("安全生产许可证号", "安全生产许可证", "安许证编号"),
        prompt="如：(皖)JZ安许证字[2020]000123",
    ),
    Field(
        "safety_license_issued_on",
        "安全生产许可证发证日期",
        FieldType.DATE,
        required_for=CONSTRUCTION_ONLY,
        synonyms=("安许证发证日期",),
    ),
    Field(
        "safety_license_valid_until",
        "安全生产许可证有效期至",
        FieldType.DATE,
        expires=True,
        required_for=CONSTRUCTION_ONLY,
        synonyms=("安全生产许可证有效期", "安许证有效期"),
    ),
    Field(
        "safety_license_issuer",
        "安全生产许可证发证机关",
        max_length=100,
        required_for=CONSTRUCTION_ONLY,
        synonyms=("安许证发证机关",),
    ),
)

SAFETY_LICENCE_SCAN = AttachmentKind(
    "safety_license_scan",
    "安全生产许可证（副本）扫描件",
    min_count=0,
    max_count=2,
    required_for=CONSTRUCTION_ONLY,
    description="施工企业上传安全生产许可证副本扫描件（图片或 PDF）",
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
            unique_by=("name", "certificate_number"),
            synonyms=("资质证书",),
            columns=QUALIFICATION_COLUMNS,
        ),
        *SAFETY_LICENCE_FIELDS,
    ),
    attachments=(AttachmentKind("qualification_certificates", "资质证书扫描件", max_count=20), SAFETY_LICENCE_SCAN),
)

RESPONSIBLE_PERSON = Section(
    "responsible_person",
    "进疆负责人",
    record_key="responsible_person",
    description="须选择已在小程序实名认证并与本企业建立聘用关系的人员",
    fields=(
        Field("person", "进疆负责人", FieldType.PERSON, required=True, synonyms=("负责人",)),
        Field("position", "职务", required=True, max_length=50, synonyms=("职位",)),
        Field("mobile", "手机号码", FieldType.MOBILE, required=True, synonyms=("手机号", "手机")),
        Field("office_phone", "办公电话", FieldType.PHONE, synonyms=("座机",)),
    ),
    attachments=(
        AttachmentKind("responsible_person_appointment", "进疆负责人授权委托书或任命文件"),
        AttachmentKind("responsible_person_id_card", "进疆负责人身份证正反面扫描件", max_count=2),
        # The person really works for this enterprise: a labour contract or social-insurance record with it.
        AttachmentKind(
            "responsible_person_employment_proof",
            "进疆负责人与本企业的劳动合同或社保缴纳证明",
            max_count=5,
            description="劳动合同，或近三个月由本企业缴纳的社会保险缴费证明（图片或 PDF）",
        ),
    ),
)

TECHNICAL_PERSON = Section(
    "technical_person",
    "进疆技术负责人",
    record_key="technical_person",
    description="须选择已在小程序实名认证并与本企业建立聘用关系的人员",
    fields=(
        Field("person", "进疆技术负责人", FieldType.PERSON, required=True, synonyms=("技术负责人", "总工")),
        Field(
            "professional_title",
            "职称",
            FieldType.ENUM,
            required=True,
            options=PROFESSIONAL_TITLES,
            synonyms=("技术职称",),
        ),
        Field(
            "title_certificate_number",
            "职称证书编号",
            required=True,
            max_length=50,
            synonyms=("职称证书号", "职称证号", "职称证书"),
        ),
        Field("title_specialty", "职称专业", required=True, max_length=50, prompt="如：建筑工程、结构工程"),
        Field("years_in_field", "从事本专业年限", FieldType.INTEGER, required=True, unit="年"),
        # The registered certificate the technical head holds: checked against the registry and the
        # enterprise's main qualification (catalogues.fit).
        Field(
            "registered_certificate_type",
            "注册证书类别",
            FieldType.ENUM,
            required=True,
            options=REGISTERED_PRACTICE_TYPES,
        ),
        Field("registered_certificate_number", "注册证书编号", required=True, max_length=64),
        Field("registered_specialty", "注册专业", required=True, max_length=100, prompt="如：建筑工程、岩土、结构"),
        Field("mobile", "手机号码", FieldType.MOBILE, required=True, synonyms=("手机号", "手机")),
    ),
    attachments=(
        AttachmentKind("technical_title_certificate", "职称证书扫描件", max_count=2),
        AttachmentKind("technical_person_appointment", "进疆技术负责人任命文件"),
    ),
)

# ---------------------------------------------------------------------------- 驻疆机构 (1 and 7)

# Prefecture-level divisions of Xinjiang, and the county-level cities the region administers directly.
XINJIANG_REGIONS = option_tuple(
    *[
        (name, name)
        for name in (
            "乌鲁木齐市",
            "克拉玛依市",
            "吐鲁番市",
            "哈密市",
            "昌吉回族自治州",
            "博尔塔拉蒙古自治州",
            "巴音郭楞蒙古自治州",
            "阿克苏地区",
            "克孜勒苏柯尔克孜自治州",
            "喀什地区",
            "和田地区",
            "伊犁哈萨克自治州",
            "塔城地区",
            "阿勒泰地区",
            "石河子市",
            "阿拉尔市",
            "图木舒克市",
            "五家渠市",
            "北屯市",
            "铁门关市",
            "双河市",
            "可克达拉市",
            "昆玉市",
            "胡杨河市",
            "新星市",
            "白杨市",
        )
    ]
)

PREMISES_PROOF = AttachmentKind(
    "premises_proof",
    "驻疆场所证明材料",
    max_count=5,
    description="最新的驻疆办公场所房屋产权证明或租赁合同（图片或 PDF）",
)

XINJIANG_OFFICE = Section(
    "xinjiang_office",
    "驻疆机构",
    record_key="xinjiang_office",
    # Filed with the first filing (the office the enterprise keeps in Xinjiang) and kept up to date by the
    # publicity extension (business 7), whose page the manual shows.
    # The seed: 驻疆机构里需要上传最新的驻疆场所证明材料，否则无法保存成功. Attachments belong to the
    # filing, never to the record, so "latest" means uploaded in this very filing.
    save_requires=(PREMISES_PROOF.key,),
    description="须先上传最新的驻疆场所证明材料，否则无法保存",
    fields=(
        Field("office_name", "驻疆机构名称", required=True),
        Field("region", "所在地州市", FieldType.ENUM, required=True, options=XINJIANG_REGIONS),
        Field("address", "驻疆机构地址", required=True, synonyms=("驻疆机构办公地址", "机构地址")),
        Field(
            "office_area",
            "办公面积",
            FieldType.AREA,
            required=True,
            unit="平方米",
            synonyms=("驻疆机构面积", "场所面积", "面积"),
        ),
        Field(
            "premises_type",
            "场所性质",
            FieldType.ENUM,
            required=True,
            options=option_tuple(("owned", "自有"), ("leased", "租赁")),
        ),
        Field("lease_until", "租赁到期日期", FieldType.DATE, expires=True, prompt="租赁场所填写"),
        Field("head_name", "驻疆机构负责人", required=True, max_length=50),
        Field("head_mobile", "负责人手机号码", FieldType.MOBILE, required=True),
        Field("office_phone", "办公电话", FieldType.PHONE, synonyms=("座机",)),
    ),
    attachments=(PREMISES_PROOF,),
)

# ---------------------------------------------------------------------------- businesses

# Rules every business runs; a business may add its own (see rules.RULES).
COMMON_RULES = (
    "sections_complete",
    "commitment_agreed",
    "signed_letter_present",
    "signed_letter_readable",
    "signed_letter_names_this_filing",
    "uscc_matches_certificate",
    "persons_verified_employed",
    "no_other_open_filing",
    # Plausibility (domain/plausibility.py): each looks only at the sections the business has.
    "no_junk_values",
    "unrelated_fields_differ",
    "ages_in_range",
    "one_name_per_person",
    "persons_not_serving_elsewhere",
    "dates_plausible",
    "uscc_region_plausible",
    "official_number_formats",
    "registered_capital_in_bounds",
    # The national registry (domain/registry_checks.py): each looks at what the business names.
    "registry_qualifications_match",
    "registry_certificates_match",
    "technical_person_fits",
)


# Rules of the businesses that file qualifications and the 安全生产许可证 (1 and 5).
QUALIFICATION_RULES = (
    "qualifications_fit_enterprise_type",
    "qualifications_status_valid",
    "licence_number_format",
    "licence_issued_not_future",
    "licence_valid_after_issue",
    "licence_validity_length",
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
    # Why the business is refused to a type it does not apply to, where the generic reason says too little.
    refusals: Mapping[EnterpriseType, str] = field(default_factory=dict)
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

    def for_enterprise_type(self, enterprise_type: str) -> Business:
        """This business as an enterprise of that type files it (see ``fields.for_enterprise_type``).

        Resolved once per (business, type) and process: a business is frozen, so what it resolves to
        never changes, and every request reading a filing asks for it."""
        key = (id(self), enterprise_type)
        cached = _RESOLVED.get(key)
        if cached is None or cached[0] is not self:
            sections = tuple(for_enterprise_type(s, enterprise_type) for s in self.sections)
            cached = (self, self if sections == self.sections else replace(self, sections=sections))
            _RESOLVED[key] = cached
        return cached[1]


# (id of a business, enterprise type) -> (that business, kept alive so its id is not reused; resolved).
_RESOLVED: dict[tuple[int, str], tuple[Business, Business]] = {}


FIRST_FILING = Business(
    key="first_filing",
    number=1,
    label="首次信息报送",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(BASIC_INFO, QUALIFICATIONS, RESPONSIBLE_PERSON, TECHNICAL_PERSON, XINJIANG_OFFICE),
    # Checked when opening and again at submission: a filed enterprise files changes instead.
    rules=(
        *COMMON_RULES,
        "qualifications_unexpired",
        "not_yet_filed",
        "rows_unique",
        "name_matches_certificate",
        *QUALIFICATION_RULES,
        "office_area_in_bounds",
    ),
    effects=(Effect.APPLY_SECTIONS, Effect.START_PUBLICITY),
    requires_filed_enterprise=False,
    refusals={EnterpriseType.COST_CONSULTING: msg.COST_CONSULTING_NO_FIRST_FILING},
    description="区外企业首次进疆信息报送：企业基本情况、企业资质情况、进疆负责人、进疆技术负责人、驻疆机构",
)

# ---------------------------------------------------------------------------- change businesses (3, 4, 7)

# Rules of the change businesses: the common ones, and the change must change something.
CHANGE_RULES = (*COMMON_RULES, "record_changed")

BASIC_INFO_CHANGE = Business(
    key="basic_info_change",
    number=3,
    label="企业基本信息变更",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(BASIC_INFO,),
    # A new enterprise name no longer matches the CA certificate: a regulator looks first.
    rules=(*CHANGE_RULES, "name_matches_certificate"),
    description="在已备案的企业基本情况基础上修改，重新上传营业执照等附件后提交，审批通过后更新备案信息",
)

RESPONSIBLE_PERSON_CHANGE = Business(
    key="responsible_person_change",
    number=4,
    label="进疆负责人变更",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(RESPONSIBLE_PERSON,),
    rules=CHANGE_RULES,
    description="选择新的进疆负责人（已实名认证并与本企业建立聘用关系），承诺书按新负责人重新生成",
)

TECHNICAL_PERSON_CHANGE = Business(
    key="technical_person_change",
    number=4,
    label="进疆技术负责人变更",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(TECHNICAL_PERSON,),
    rules=CHANGE_RULES,
    description="选择新的进疆技术负责人（已实名认证并与本企业建立聘用关系）",
)

PUBLICITY_EXTENSION = Business(
    key="publicity_extension",
    number=7,
    label="进疆信息公示延期",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(XINJIANG_OFFICE,),
    # The window is checked when the filing is opened (stage "open") and again at submission.
    rules=(*COMMON_RULES, "publicity_extension_window", "record_qualifications_unexpired", "office_area_in_bounds"),
    effects=(Effect.APPLY_SECTIONS, Effect.EXTEND_PUBLICITY),
    description="公示有效期到期前（PUBLICITY_EXTENSION_WINDOW_DAYS 天内）或已过期后申请延期，完善驻疆机构信息",
)

# ---------------------------------------------------------------------------- cost consulting projects (8)

CONSULTING_CONTRACT = AttachmentKind(
    "consulting_contract",
    "工程造价咨询合同附件扫描件",
    description="委托方与本企业签订的工程造价咨询合同扫描件（图片或 PDF，1 个，小于 5MB）",
)

CONSULTING_SERVICES = option_tuple(
    ("investment_estimate", "投资估算编制或审核"),
    ("design_estimate", "设计概算编制或审核"),
    ("construction_budget", "施工图预算编制或审核"),
    ("bill_of_quantities", "工程量清单及最高投标限价编制"),
    ("settlement", "工程结算编制或审核"),
    ("whole_process", "全过程工程造价咨询"),
    ("other", "其他"),
)

PROJECT = Section(
    "project",
    "单个项目信息",
    record_key="projects",
    record_mode=RecordMode.APPEND,
    date_ranges=(("service_start", "service_end"),),
    fields=(
        Field("project_name", "项目名称", required=True),
        Field("region", "项目所在地州市", FieldType.ENUM, required=True, options=XINJIANG_REGIONS),
        Field("address", "项目详细地址", required=True),
        Field("client_name", "委托方名称", required=True),
        Field("client_uscc", "委托方统一社会信用代码", FieldType.USCC),
        Field("contract_number", "合同编号", max_length=50),
        Field("contract_amount", "合同金额", FieldType.AMOUNT, required=True, unit="万元"),
        Field("contract_signed_on", "合同签订日期", FieldType.DATE, required=True),
        Field("service_start", "服务开始日期", FieldType.DATE, required=True),
        Field("service_end", "服务结束日期", FieldType.DATE, required=True),
        Field("services", "咨询业务范围", FieldType.MULTI_ENUM, required=True, options=CONSULTING_SERVICES),
        Field("scope_description", "业务范围说明", FieldType.TEXTAREA),
        Field("project_leader", "项目负责人", FieldType.PERSON, required=True),
        Field("project_leader_certificate", "项目负责人注册造价工程师证书编号", required=True, max_length=50),
    ),
    attachments=(CONSULTING_CONTRACT,),
)

COST_CONSULTING_PROJECT = Business(
    key="cost_consulting_project",
    number=8,
    label="造价企业进疆承揽业务备案",
    applies_to=frozenset({EnterpriseType.COST_CONSULTING}),
    # Cost-consulting firms have no enterprise-level first filing: each project filing carries the
    # firm's basic information and responsible person (the letter needs both), and approval puts
    # them on record, so the next project starts prefilled. Only the seed's two attachments apply.
    sections=(
        replace(BASIC_INFO, attachments=()),
        replace(RESPONSIBLE_PERSON, attachments=()),
        PROJECT,
    ),
    rules=(*COMMON_RULES, "name_matches_certificate"),
    effects=(Effect.APPLY_SECTIONS, Effect.START_PUBLICITY),
    requires_filed_enterprise=False,
    description="造价咨询企业按项目报送：一次报送一个项目（单个项目信息），附工程造价咨询合同扫描件",
)


# ---------------------------------------------------------------------------- 2, 5, 6: registry-backed

# Registered and safety certificate types (注册类别) from the catalogue; synced rows are matched to an
# option by the catalogue's matcher, and a type the catalogue does not list is kept as "other".
REGISTERED_CERTIFICATE_TYPES = option_tuple(
    *[(c.code, c.name) for c in CERTIFICATE_TYPES], (OTHER_REGISTERED_CODE, OTHER_REGISTERED_LABEL)
)

OTHER_CERTIFICATE_TYPES = option_tuple(
    ("technical_worker", "技术工人证书"),
    ("special_operation", "特种作业操作证"),
    ("post_certificate", "岗位证书（施工员、质量员、安全员等）"),
    ("professional_title", "职称证书"),
    ("other", "其他证书"),
)

SKILL_LEVELS = option_tuple(
    ("level_5", "初级工（五级）"),
    ("level_4", "中级工（四级）"),
    ("level_3", "高级工（三级）"),
    ("level_2", "技师（二级）"),
    ("level_1", "高级技师（一级）"),
)

CERTIFICATE_SCAN = AttachmentKind(
    "certificate_scan",
    "证书扫描件",
    min_count=0,
    max_count=100,
    description="每张手工录入的证书上传一份扫描件，并在该行的“证书扫描件”中选择它",
)


def _registered_certificates_table(*, read_only: bool) -> Field:
    return Field(
        "certificates",
        "注册证书",
        FieldType.TABLE,
        max_rows=500,
        read_only=read_only,
        unique_by=("person", "certificate_type", "certificate_number"),
        columns=(
            Field("person", "人员", FieldType.PERSON, required=True),
            Field(
                "certificate_type",
                "证书类别",
                FieldType.ENUM,
                required=True,
                options=REGISTERED_CERTIFICATE_TYPES,
            ),
            # The registry's own wording of a type this catalogue version does not list (other_registered).
            Field("certificate_type_name", "注册类别名称", max_length=100),
            Field("certificate_number", "证书编号", required=True, max_length=64),
            Field("specialty", "注册专业", max_length=100),
            Field("registered_enterprise", "注册单位", max_length=200),
            Field("issued_on", "发证日期", FieldType.DATE, required=True),
            Field("valid_until", "有效期至", FieldType.DATE, required=True, expires=True),
        ),
    )


OTHER_CERTIFICATES_TABLE = Field(
    "certificates",
    "其他证书",
    FieldType.TABLE,
    max_rows=500,
    unique_by=("person", "certificate_type", "certificate_number"),
    columns=(
        Field("person", "人员", FieldType.PERSON, required=True),
        Field("certificate_type", "证书类型", FieldType.ENUM, required=True, options=OTHER_CERTIFICATE_TYPES),
        Field("certificate_number", "证书编号", required=True, max_length=64),
        Field("trade", "工种/专业", required=True, max_length=50, prompt="如：钢筋工、电焊工、架子工"),
        Field("level", "等级", FieldType.ENUM, options=SKILL_LEVELS),
        Field("issuer", "发证机关", required=True, max_length=100),
        Field("issued_on", "发证日期", FieldType.DATE, required=True),
        Field("valid_until", "有效期至", FieldType.DATE, expires=True),
        Field("scan", "证书扫描件", FieldType.ATTACHMENT, required=True, attachment_kind="certificate_scan"),
    ),
)

PERSONNEL_NOTE = "只能选择已在小程序实名认证并与本企业建立聘用关系的人员"

REGISTERED_CERTIFICATES = Section(
    "registered_certificates",
    "人员注册证书",
    record_key="registered_certificates",
    description="点击“一键同步人员注册证书”从全国建筑市场监管公共服务平台同步本企业在职人员的注册证书；"
    "注册在其他企业或已过期的证书不会纳入",
    fields=(_registered_certificates_table(read_only=True),),
    sync=RegistrySync("certificates", "certificates", replace=True),
)

OTHER_CERTIFICATES = Section(
    "other_certificates",
    "其他证书",
    record_key="other_certificates",
    description=f"添加其他证书信息（如技术工人证书）。{PERSONNEL_NOTE}",
    fields=(OTHER_CERTIFICATES_TABLE,),
    attachments=(CERTIFICATE_SCAN,),
)

# Business 6 edits what business 2 filed: the same record parts, the registered table editable.
REGISTERED_CERTIFICATES_CHANGE = Section(
    "registered_certificates",
    "人员注册证书",
    record_key="registered_certificates",
    description="可修改、删除已报送的注册证书，或点击同步从全国建筑市场监管公共服务平台重新获取",
    fields=(_registered_certificates_table(read_only=False),),
    sync=RegistrySync("certificates", "certificates", replace=True),
)

CANCELLED_QUALIFICATIONS_TABLE = Field(
    "cancelled_qualifications",
    "已取消登记资质",
    FieldType.TABLE,
    max_rows=200,
    read_only=True,
    columns=(
        Field("name", "资质"),
        Field("category", "资质类别", FieldType.ENUM, options=QUALIFICATION_CLASSES),
        Field("certificate_number", "资质证书编号"),
        Field("valid_until", "证书有效期", FieldType.DATE),
        Field("issuing_authority", "发证机关"),
        Field("issued_on", "发证日期", FieldType.DATE),
        Field("status", "资质状态", FieldType.ENUM, options=QUALIFICATION_STATUSES),
        Field("cancelled_on", "取消登记日期", FieldType.DATE),
    ),
)

QUALIFICATIONS_CHANGE = Section(
    "qualifications",
    "企业资质",
    record_key="qualifications",
    description="如需同步新资质请点击“同步资质”；如需取消某资质的报送记录请点击该行的“取消登记”，"
    "已取消的资质见“已取消登记资质”",
    fields=(
        Field(
            "qualifications",
            "资质",
            FieldType.TABLE,
            required=True,
            min_rows=1,
            max_rows=50,
            cancel_into="cancelled_qualifications",
            unique_by=("name", "certificate_number"),
            columns=QUALIFICATION_COLUMNS,
        ),
        *SAFETY_LICENCE_FIELDS,
        CANCELLED_QUALIFICATIONS_TABLE,
    ),
    attachments=(
        AttachmentKind("qualification_certificates", "新增或变更资质的证书扫描件", min_count=0, max_count=20),
        AttachmentKind(
            "safety_license_scan",
            "新的安全生产许可证（副本）扫描件",
            min_count=0,
            max_count=2,
            description="安全生产许可证延续或变更后上传（图片或 PDF）",
        ),
    ),
    sync=RegistrySync("qualifications", "qualifications", replace=False),
)

PERSONNEL_CERTIFICATES = Business(
    key="personnel_certificates",
    number=2,
    label="进疆人员证书报送",
    applies_to=frozenset(EnterpriseType),
    sections=(REGISTERED_CERTIFICATES, OTHER_CERTIFICATES),
    rules=(*COMMON_RULES, "certificates_unexpired", "rows_unique"),
    requires_filed_enterprise=False,
    description="一键同步本企业在职人员在全国建筑市场监管公共服务平台的注册证书，并添加其他证书（如技术工人证书）",
)

QUALIFICATION_CHANGE = Business(
    key="qualification_change",
    number=5,
    label="企业资质信息变更",
    applies_to=ENTERPRISE_LEVEL_TYPES,
    sections=(QUALIFICATIONS_CHANGE,),
    rules=(*COMMON_RULES, "qualifications_unexpired", "rows_unique", *QUALIFICATION_RULES),
    description="同步新资质、取消登记资质、查看已取消登记的资质，提交后更新企业备案信息",
)

PERSONNEL_CERTIFICATE_CHANGE = Business(
    key="personnel_certificate_change",
    number=6,
    label="进疆人员证书变更",
    applies_to=frozenset(EnterpriseType),
    sections=(REGISTERED_CERTIFICATES_CHANGE, OTHER_CERTIFICATES),
    rules=(*COMMON_RULES, "certificates_unexpired", "rows_unique"),
    description="修改、删除或添加已报送人员的证书",
)

# Every business, in the manual's order (1 … 8).
BUSINESSES: dict[str, Business] = {
    b.key: b
    for b in (
        FIRST_FILING,
        PERSONNEL_CERTIFICATES,
        BASIC_INFO_CHANGE,
        RESPONSIBLE_PERSON_CHANGE,
        TECHNICAL_PERSON_CHANGE,
        QUALIFICATION_CHANGE,
        PERSONNEL_CERTIFICATE_CHANGE,
        PUBLICITY_EXTENSION,
        COST_CONSULTING_PROJECT,
    )
}


def record_sections() -> dict[str, Section]:
    """The section declaring each part of the filed record (sections sharing a record key share fields)."""
    return {s.record_key: s for b in BUSINESSES.values() for s in b.sections if s.record_key}


# Where the commitment letter finds its parties in the (filed record overlaid with the draft).
LETTER_LEGAL_REPRESENTATIVE = ("basic_info", "legal_representative_name", "legal_representative_id_number")
LETTER_RESPONSIBLE_PERSON = ("responsible_person", "person")
