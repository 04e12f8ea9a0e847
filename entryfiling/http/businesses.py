"""The business declarations (``GET /api/v1/businesses``) for both APIs: a mini-program builds
its forms from them as the enterprise front end does, so both documents describe them."""

from __future__ import annotations

import functools

from flask import Flask, Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from entryfiling.domain.businesses import BUSINESSES, EnterpriseType
from entryfiling.domain.fields import FieldType
from entryfiling.domain.rules import OnFailure, Stage
from entryfiling.http.caching import StaticAnswer, StaticRoutes, encoded, static_response
from handlers import catalog

BUSINESS_KEYS = sorted(BUSINESSES)


class OptionSchema(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class ColumnSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in FieldType]))
    required = fields.Boolean(required=True)
    options = fields.List(fields.Nested(OptionSchema))
    max_length = fields.Integer()
    unit = fields.String()
    prompt = fields.String()
    expires = fields.Boolean()
    read_only = fields.Boolean()
    attachment_kind = fields.String(metadata={"description": "该列填写的附件所属附件类型"})
    required_for = fields.List(
        fields.String(),
        metadata={"description": "仅这些企业类型填写且必填（如施工企业的安全生产许可证）；其他类型无此项"},
    )
    derived_from = fields.String(metadata={"description": "保存时按此列自动填写（如按资质名称填写资质类别），无需录入"})


class FieldSchema(ColumnSchema):
    cancel_into = fields.String(metadata={"description": "取消登记的行移入的字段"})
    unique_by = fields.List(fields.String())
    columns = fields.List(fields.Nested(ColumnSchema), metadata={"description": "表格字段的各列"})
    min_rows = fields.Integer()
    max_rows = fields.Integer()


class AttachmentKindSchema(Schema):
    key = fields.String(required=True, metadata={"example": "business_license"})
    label = fields.String(required=True)
    content_types = fields.List(fields.String(), required=True, metadata={"example": ["application/pdf"]})
    formats = fields.String(required=True, metadata={"example": "PDF 文档"})
    max_bytes = fields.Integer(required=True)
    min_count = fields.Integer(required=True)
    max_count = fields.Integer(required=True)
    required = fields.Boolean(required=True)
    description = fields.String(required=True)
    required_for = fields.List(fields.String(), metadata={"description": "仅这些企业类型上传且必传；其他类型无此附件"})


class SyncSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["qualifications", "certificates"]))
    table = fields.String(required=True)
    replace = fields.Boolean(required=True)


class SectionDeclarationSchema(Schema):
    key = fields.String(required=True, metadata={"example": "basic_info"})
    label = fields.String(required=True, metadata={"example": "企业基本情况"})
    description = fields.String(required=True)
    fields_ = fields.List(fields.Nested(FieldSchema), data_key="fields", attribute="fields", required=True)
    attachments = fields.List(fields.Nested(AttachmentKindSchema), required=True)
    save_requires = fields.List(fields.String(), required=True)
    sync = fields.Nested(SyncSchema, allow_none=True, required=True)


class RuleSchema(Schema):
    key = fields.String(required=True)
    description = fields.String(required=True)
    stage = fields.String(required=True, validate=validate.OneOf([s.value for s in Stage]))
    on_failure = fields.String(required=True, validate=validate.OneOf([o.value for o in OnFailure]))


class EnterpriseTypeSchema(Schema):
    value = fields.String(required=True, validate=validate.OneOf([t.value for t in EnterpriseType]))
    label = fields.String(required=True, metadata={"example": "施工企业"})


class BusinessSchema(Schema):
    key = fields.String(required=True, validate=validate.OneOf(BUSINESS_KEYS), metadata={"example": "first_filing"})
    number = fields.Integer(required=True, metadata={"example": 1})
    label = fields.String(required=True, metadata={"example": "首次信息报送"})
    description = fields.String(required=True)
    applies_to = fields.List(fields.Nested(EnterpriseTypeSchema), required=True)
    requires_filed_enterprise = fields.Boolean(required=True)
    sections = fields.List(fields.Nested(SectionDeclarationSchema), required=True)
    submission_attachments = fields.List(fields.Nested(AttachmentKindSchema), required=True)
    rules = fields.List(fields.Nested(RuleSchema), required=True)


# The businesses are declarations in code: their description never changes while the process runs,
# so each answer is built and encoded once (the nested schemas make that dear) and sent with an ETag.
CATALOGUE_MAX_AGE = 300


@functools.cache
def _catalogue_answer() -> StaticAnswer:
    return StaticAnswer.of(encoded(BusinessSchema(many=True), catalog.list_businesses()))


@functools.cache
def _business_answer(key: str) -> StaticAnswer:
    return StaticAnswer.of(encoded(BusinessSchema(), catalog.get_business_description(key)))


def static_catalogue(app: Flask) -> StaticRoutes:
    """Every path of the catalogue routes the app serves (both APIs), with its route template and
    its answer: for serving them ahead of the app (ops.web.StaticAnswers)."""
    answers: StaticRoutes = {}
    for rule in app.url_map.iter_rules():
        view = rule.endpoint.rpartition(".")[2]
        if view == "BusinessList":
            answers[rule.rule] = (rule.rule, _catalogue_answer)
        elif view == "BusinessDetail":
            prefix = rule.rule.partition("<")[0]
            answers.update({prefix + key: (rule.rule, functools.partial(_business_answer, key)) for key in BUSINESSES})
    return answers


def businesses_blueprint(name: str, import_name: str) -> Blueprint:
    """The declarations' routes under ``/api/v1/businesses``, for the API registering ``name``."""
    blp = Blueprint(name, import_name, url_prefix="/api/v1/businesses", description="业务类型（表单声明）")

    @blp.route("")
    class BusinessList(MethodView):
        @blp.response(200, BusinessSchema(many=True))
        def get(self) -> Response:
            """列出所有业务及其栏目、字段、附件要求和审批规则

            小程序与企业端都按这些声明生成表单：每个栏目的字段（类型、是否必填、选项、长度）、
            附件类型（格式、大小、数量）和审批规则。不需要登录。
            """
            return static_response(_catalogue_answer(), CATALOGUE_MAX_AGE)

    @blp.route("/<string:key>")
    class BusinessDetail(MethodView):
        @blp.response(200, BusinessSchema)
        def get(self, key: str) -> Response:
            """单个业务的表单声明

            ``key`` 为业务编号，如 first_filing；未知的业务答 404。
            """
            if key not in BUSINESSES:
                catalog.get_business_description(key)  # the clear 404; unknown keys are not kept
            return static_response(_business_answer(key), CATALOGUE_MAX_AGE)

    return blp
