from typing import Any, ClassVar

from flask_smorest.fields import Upload
from marshmallow import INCLUDE, Schema, ValidationError, fields, post_dump, validate

from entryfiling import messages as msg
from entryfiling.domain.businesses import BUSINESSES, EnterpriseType
from entryfiling.domain.filing import FilingStatus
from entryfiling.http.links import link
from entryfiling.http.pagination import PageArgsSchema, page_schema
from entryfiling.http.value_schemas import (
    FIELD_VALUE,
    RECORD_CHANGE_VALUE,
    SECTION_VALUES_INPUT,
    SECTION_VALUES_SHOWN,
    ref,
    value_field,
)


def _declared_business(value: str) -> None:
    """Checked against the declarations when called, so a business declared later is accepted too."""
    if value not in BUSINESSES:
        raise ValidationError(msg.BUSINESS_UNKNOWN.format(business=value, options="、".join(BUSINESSES)))


class OpenFilingSchema(Schema):
    business = fields.String(
        required=True,
        validate=_declared_business,
        metadata={"description": "业务类型，如 first_filing", "example": "first_filing", "enum": sorted(BUSINESSES)},
    )
    enterprise_type = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(
            [t.value for t in EnterpriseType],
            error=msg.ENTERPRISE_TYPE_UNKNOWN.format(
                value="{input}", options="、".join(t.value for t in EnterpriseType)
            ),
        ),
        metadata={
            "example": "construction",
            "description": "企业类型（首次办理时必填）：construction/supervision/survey/design/"
            "quality_testing/cost_consulting",
        },
    )


class FilingListArgsSchema(PageArgsSchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in FilingStatus]),
        metadata={"description": "状态；草稿箱为 draft"},
    )
    business = fields.String(load_default=None)
    date_from = fields.Date(load_default=None, metadata={"description": "创建日期起（含）"})
    date_to = fields.Date(load_default=None, metadata={"description": "创建日期止（含）"})


class SectionValuesSchema(Schema):
    """The section's fields as declared in GET /api/v1/businesses; a key set to null clears it."""

    class Meta:
        unknown = INCLUDE

    # Which fields a section takes is declared data, checked by the domain: the document shows
    # the per-section schemas generated from the declarations.
    openapi_schema: ClassVar[dict[str, Any]] = {"allOf": [ref(SECTION_VALUES_INPUT)]}


class EvidenceSchema(Schema):
    item = fields.String(required=True, metadata={"description": "核对的对象，如某行资质"})
    filed = fields.String(required=True, metadata={"description": "填报的值"})
    registry = fields.String(required=True, metadata={"description": "全国建筑市场监管公共服务平台登记的值"})


class RuleResultSchema(Schema):
    rule = fields.String(required=True, metadata={"example": "qualifications_valid"})
    description = fields.String(required=True)
    passed = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "未通过的原因（中文）"})
    on_failure = fields.String(required=True, validate=validate.OneOf(["reject", "manual_review"]))
    outcome = fields.String(
        validate=validate.OneOf(["passed", "failed", "not_checked"]),
        metadata={"description": "通过 / 未通过 / 无法核验（如全国建筑市场监管公共服务平台不可用，转人工审核）"},
    )
    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        metadata={"description": "未通过时的依据：填报值与平台登记值"},
    )
    reviewer = fields.String(metadata={"description": "（人工审核时）审核人"})


class RecordChangeSchema(Schema):
    section = fields.String(required=True)
    section_label = fields.String(required=True)
    field = fields.String(allow_none=True, required=True)
    field_label = fields.String(required=True)
    change = fields.String(required=True, validate=validate.OneOf(["added", "removed", "modified"]))
    before = value_field(RECORD_CHANGE_VALUE, "变更前的值", allow_none=True)
    after = value_field(RECORD_CHANGE_VALUE, "变更后的值", allow_none=True)


class UploadSchema(Schema):
    """The multipart body of an upload: ``kind`` and ``file`` (``wx.uploadFile``: name=file, formData.kind)."""

    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "附件类型（见业务声明的 attachments 的 key）", "example": "business_license"},
    )
    file = Upload(
        required=True,
        error_messages={"required": msg.ATTACHMENT_FILE_MISSING},
        metadata={"description": "文件内容（按内容判断类型）"},
    )


class LetterPhotosSchema(Schema):
    file = Upload(load_default=None, metadata={"description": "一页照片；多页时 file 重复多次，按页序"})


class SourcePageSchema(Schema):
    page = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String(metadata={"description": "原图的 SHA-256"})


class SubmitSchema(Schema):
    agreed = fields.Boolean(required=True, metadata={"description": "已阅读并同意企业诚信守法承诺书所有条款"})
    signed_letter = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "签章承诺书的附件编号（附件类型 commitment_letter）"},
    )


class MissingFieldSchema(Schema):
    path = fields.String()
    label = fields.String()


class MissingAttachmentSchema(Schema):
    kind = fields.String()
    label = fields.String()
    required = fields.Integer(attribute="required_count")
    uploaded = fields.Integer(attribute="uploaded_count")


class AttachmentSchema(Schema):
    id = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    uploaded_by = fields.String()
    source_pages = fields.List(
        fields.Nested(SourcePageSchema), allow_none=True, metadata={"description": "由照片合成的 PDF：各页原图"}
    )
    download_url = link("attachment", "下载该附件")


class SectionSchema(Schema):
    key = fields.String()
    label = fields.String()
    saved = fields.Boolean()
    complete = fields.Boolean(metadata={"description": "必填字段和附件是否齐全（绿色对勾）"})
    missing_fields = fields.List(fields.Nested(MissingFieldSchema))
    missing_attachments = fields.List(fields.Nested(MissingAttachmentSchema))
    warnings = fields.List(fields.String())
    values = value_field(SECTION_VALUES_SHOWN, "栏目字段的值（身份证号已脱敏，人员显示姓名）")
    attachments = fields.List(fields.Nested(AttachmentSchema))


class EventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    to_status_label = fields.String()
    actor = fields.String()
    at = fields.DateTime()
    note = fields.List(fields.String())


class FilingSummarySchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(metadata={"description": "办件编号"})
    business = fields.String(required=True, metadata={"example": "first_filing"})
    business_label = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.String()
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in FilingStatus]))
    status_label = fields.String(required=True, metadata={"example": "草稿"})
    version = fields.Integer()
    etag = fields.String(required=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reasons = fields.List(fields.String(), metadata={"description": "审批不通过或转人工的原因"})


class FilingSchema(FilingSummarySchema):
    sections = fields.List(
        fields.Nested(SectionSchema), metadata={"description": "各栏目：值、是否完整、缺少的字段和附件"}
    )
    complete = fields.Boolean()
    agreed = fields.Boolean()
    signed_letter_id = fields.String(allow_none=True)
    submission_attachments = fields.List(fields.Nested(AttachmentSchema))
    commitment_letter_url = link("commitment_letter", "下载预填的企业诚信守法承诺书（PDF）")
    rule_results = fields.List(fields.Nested(RuleResultSchema), metadata={"description": "各审批规则的结果"})
    record_changes = fields.List(
        fields.Nested(RecordChangeSchema),
        metadata={"description": "审批通过后备案信息的变更前后对照（身份证号已脱敏）"},
    )
    copied_from_id = fields.Integer(allow_none=True, metadata={"description": "复制自哪个办件"})
    events = fields.List(fields.Nested(EventSchema), metadata={"description": "状态变化记录"})
    attachment = fields.Nested(AttachmentSchema, metadata={"description": "（上传时）刚上传的附件"})

    @post_dump
    def _omit_absent_upload(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        if data.get("attachment") is None:
            data.pop("attachment", None)
        return data


FilingPageSchema = page_schema(FilingSummarySchema, "FilingPage")


class AnswerSchema(Schema):
    field = fields.String(required=True, metadata={"description": "要回答的项，如 basic_info.contact_name"})
    value = fields.Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": "回答：可为口语化文本；人员为编号或 {id}；多选为文字列表；是否题可为 true/false",
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "properties": {"id": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}},
            ],
        },
    )


class BackSchema(Schema):
    from_ = fields.String(data_key="from", load_default=None, metadata={"description": "从哪一项返回上一项"})


class OmitNoneSchema(Schema):
    """Leaves out what does not apply (a field step has no attachment, a ready view no step)."""

    @post_dump
    def _omit_none(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None or k in self.keep_none}

    keep_none: tuple[str, ...] = ()


class OptionChoiceSchema(Schema):
    number = fields.Integer()
    value = fields.String()
    label = fields.String()


class PersonChoiceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    id_number = fields.String(metadata={"description": "身份证号（脱敏）"})


class AttachmentAskSchema(Schema):
    kind = fields.String()
    label = fields.String()
    content_types = fields.List(fields.String())
    formats = fields.String()
    max_bytes = fields.Integer()
    min_count = fields.Integer()
    max_count = fields.Integer()


class StepSchema(OmitNoneSchema):
    keep_none = ("current",)

    path = fields.String(required=True, metadata={"description": "回答时的 field，如 basic_info.contact_name"})
    section = fields.String()
    section_label = fields.String()
    label = fields.String()
    prompt = fields.String()
    done = fields.Boolean()
    current = value_field(FIELD_VALUE, "当前已填的值（人员为 {id, name}，附件为已上传数）", allow_none=True)
    type = fields.String(metadata={"description": "字段类型，或 attachment（需上传附件）"})
    required = fields.Boolean()
    example = fields.String()
    options = fields.List(fields.Nested(OptionChoiceSchema))
    persons = fields.List(fields.Nested(PersonChoiceSchema))
    unit = fields.String()
    max_length = fields.Integer()
    attachment = fields.Nested(AttachmentAskSchema)
    hint = fields.String()


class SectionProgressSchema(Schema):
    section = fields.String()
    label = fields.String()
    done = fields.Integer()
    total = fields.Integer()


class GuidedProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()
    sections = fields.List(fields.Nested(SectionProgressSchema))


class WholeObject(fields.Nested):
    """A nested schema over the object the field sits in (a part of the same read model), so the
    document shows the nested schema rather than an untyped value."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class AgreementSchema(Schema):
    type = fields.Constant("confirmation", metadata={"type": "string", "enum": ["confirmation"]})
    text = fields.String(attribute="agreement_text")


class SubmissionSchema(Schema):
    letter_url = link("commitment_letter", "下载预填的企业诚信守法承诺书（PDF）")
    signed_letter_kind = fields.String(metadata={"description": "上传签章承诺书时的附件类型"})
    agreement = WholeObject(AgreementSchema, metadata={"description": "提交前须确认的承诺"})
    submit_url = link("submit", "提交申请")


class GuidedStepSchema(OmitNoneSchema):
    filing_id = fields.Integer(required=True)
    etag = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["ask", "review", "ready"]),
        metadata={"description": "ask：待回答；review：回看已答项；ready：可以提交"},
    )
    status_label = fields.String(required=True, metadata={"description": "状态的中文说明（给用户看）"})
    step = fields.Nested(StepSchema)
    progress = fields.Nested(GuidedProgressSchema, required=True)
    message = fields.String()
    submission = fields.Nested(SubmissionSchema)
    recorded = fields.String(metadata={"description": "刚才的回答如何记录（如“已记录：注册资本 5,000 万元”）"})
