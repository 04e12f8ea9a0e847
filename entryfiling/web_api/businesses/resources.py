"""The businesses declared so far: sections, fields, attachment kinds and rules."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from handlers import catalog

blp = Blueprint("businesses", __name__, url_prefix="/api/v1/businesses", description="业务类型（表单声明）")


class BusinessSchema(Schema):
    key = fields.String()
    number = fields.Integer()
    label = fields.String()
    description = fields.String()
    applies_to = fields.List(fields.Dict())
    requires_filed_enterprise = fields.Boolean()
    sections = fields.List(fields.Dict())
    submission_attachments = fields.List(fields.Dict())
    rules = fields.List(fields.Dict())


@blp.route("")
class BusinessList(MethodView):
    @blp.response(200, BusinessSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """列出所有业务及其栏目、字段、附件要求和审批规则"""
        return catalog.list_businesses()


@blp.route("/<string:key>")
class BusinessDetail(MethodView):
    @blp.response(200, BusinessSchema)
    def get(self, key: str) -> dict[str, Any]:
        """单个业务的表单声明"""
        return catalog.get_business_description(key)
