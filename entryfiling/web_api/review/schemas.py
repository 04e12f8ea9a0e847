from __future__ import annotations

from marshmallow import Schema, fields, validate

from entryfiling.http.filings.schemas import FilingSchema, FilingSummarySchema
from entryfiling.http.links import link
from entryfiling.http.pagination import PageArgsSchema, page_schema
from entryfiling.http.value_schemas import JSON_VALUE, value_field


class RegulatorLoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class RegulatorSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()


class RegulatorTokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    regulator = fields.Nested(RegulatorSchema)


class EnterpriseRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()


class ReviewItemSchema(FilingSummarySchema):
    enterprise = fields.Nested(EnterpriseRefSchema)
    submitted_by = fields.String(allow_none=True, metadata={"description": "提交人"})
    url = link("filing", "办件详情（审核）")


ReviewQueueSchema = page_schema(ReviewItemSchema, "ReviewQueuePage")
ReviewQueueArgsSchema = PageArgsSchema


class ReviewFilingSchema(FilingSchema):
    """The filing as a regulator sees it; the signed letter is among ``submission_attachments``,
    so ``commitment_letter_url`` is null here."""

    enterprise = fields.Nested(EnterpriseRefSchema)
    submitted_by = fields.String(allow_none=True)
    decision_url = link("decision", "审核（通过或不通过）")


class DecisionSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["approve", "reject"]),
        metadata={"description": "approve 审核通过 / reject 审核不通过"},
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500),
        metadata={"description": "审核意见；不通过时即告知企业的原因，须写明需补正的内容（至少 5 个汉字）"},
    )


AUDIT_RESULTS = ["success", "failure", "denied"]


class AuditArgsSchema(PageArgsSchema):
    event = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "事件，如 login、access_denied"}
    )
    result = fields.String(validate=validate.OneOf(AUDIT_RESULTS), metadata={"description": "结果"})
    actor_type = fields.String(validate=validate.Length(min=1, max=32))
    actor_id = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "操作者或声称的身份"})
    object = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "对象（前缀匹配）"})
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    source_address = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "来源地址"})
    date_from = fields.Date()
    date_to = fields.Date()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_type = fields.String()
    actor_id = fields.String()
    actor_name = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    event = fields.String()
    object = fields.String()
    result = fields.String()
    source_address = fields.String(allow_none=True)
    details = fields.Dict(
        keys=fields.String(), values=value_field(JSON_VALUE, "随事件不同"), metadata={"description": "事件的详情"}
    )


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")
