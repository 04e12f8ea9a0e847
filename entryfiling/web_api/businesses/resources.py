"""The businesses declared so far: sections, fields, attachment kinds and rules."""

from __future__ import annotations

import functools

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from entryfiling.domain.businesses import BUSINESSES
from entryfiling.web_api.caching import encoded, json_response
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


# The businesses are declarations in code: their description never changes while the process runs.
CATALOGUE_MAX_AGE = 300


@functools.cache
def _catalogue_body() -> bytes:
    return encoded(BusinessSchema(many=True), catalog.list_businesses())


@functools.cache
def _business_body(key: str) -> bytes:
    return encoded(BusinessSchema(), catalog.get_business_description(key))


@blp.route("")
class BusinessList(MethodView):
    @blp.response(200, BusinessSchema(many=True))
    def get(self) -> Response:
        """列出所有业务及其栏目、字段、附件要求和审批规则"""
        return json_response(_catalogue_body(), CATALOGUE_MAX_AGE)


@blp.route("/<string:key>")
class BusinessDetail(MethodView):
    @blp.response(200, BusinessSchema)
    def get(self, key: str) -> Response:
        """单个业务的表单声明"""
        if key not in BUSINESSES:
            catalog.get_business_description(key)  # the clear 404; unknown keys are not kept
        return json_response(_business_body(key), CATALOGUE_MAX_AGE)
