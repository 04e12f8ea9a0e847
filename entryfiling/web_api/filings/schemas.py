from flask_smorest.fields import Upload
from marshmallow import INCLUDE, Schema, fields, validate

from entryfiling.domain.filing import FilingStatus
from entryfiling.web_api.pagination import PageArgsSchema, page_schema


class OpenFilingSchema(Schema):
    business = fields.String(required=True, metadata={"description": "业务类型，如 first_filing"})
    enterprise_type = fields.String(
        load_default=None,
        metadata={
            "description": "企业类型（首次办理时必填）：construction/supervision/survey/design/"
            "quality_testing/cost_consulting"
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


class UploadFormSchema(Schema):
    kind = fields.String(load_default=None, metadata={"description": "附件类型（见业务声明的 attachments）"})


class UploadFileSchema(Schema):
    file = Upload(load_default=None)


class SubmitSchema(Schema):
    agreed = fields.Boolean(required=True, metadata={"description": "已阅读并同意企业诚信守法承诺书所有条款"})
    signed_letter = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "签章承诺书的附件编号（附件类型 commitment_letter）"},
    )


class FilingSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "办件编号"})
    business = fields.String()
    business_label = fields.String()
    enterprise_type = fields.String()
    enterprise_type_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    version = fields.Integer()
    etag = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    reasons = fields.List(fields.String(), metadata={"description": "审批不通过或转人工的原因"})


class FilingSchema(FilingSummarySchema):
    sections = fields.List(fields.Dict(), metadata={"description": "各栏目：值、是否完整、缺少的字段和附件"})
    complete = fields.Boolean()
    agreed = fields.Boolean()
    signed_letter_id = fields.String(allow_none=True)
    submission_attachments = fields.List(fields.Dict())
    commitment_letter_url = fields.String()
    rule_results = fields.List(fields.Dict())
    record_changes = fields.List(
        fields.Dict(), metadata={"description": "审批通过后备案信息的变更前后对照（身份证号已脱敏）"}
    )
    copied_from_id = fields.Integer(allow_none=True, metadata={"description": "复制自哪个办件"})
    events = fields.List(fields.Dict(), metadata={"description": "状态变化记录"})
    attachment = fields.Dict(metadata={"description": "（上传时）刚上传的附件"})


FilingPageSchema = page_schema(FilingSummarySchema, "FilingPage")


class AnswerSchema(Schema):
    field = fields.String(required=True, metadata={"description": "要回答的项，如 basic_info.contact_name"})
    value = fields.Raw(required=True, allow_none=True, metadata={"description": "回答：可为口语化文本"})


class BackSchema(Schema):
    from_ = fields.String(data_key="from", load_default=None, metadata={"description": "从哪一项返回上一项"})


class GuidedStepSchema(Schema):
    filing_id = fields.Integer()
    etag = fields.String()
    status = fields.String(metadata={"description": "ask：待回答；review：回看已答项；ready：可以提交"})
    step = fields.Dict()
    progress = fields.Dict()
    message = fields.String()
    submission = fields.Dict()
    recorded = fields.String(metadata={"description": "刚才的回答如何记录（如“已记录：注册资本 5,000 万元”）"})
