"""The logged-in enterprise: its filed record, and the persons its filings can choose."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from entryfiling.http.pagination import PageArgsSchema, page_schema
from entryfiling.http.value_schemas import FILED_RECORD, value_field
from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from handlers import enterprises, persons

blp = Blueprint("enterprise", __name__, url_prefix="/api/v1", description="本企业信息与可选人员")


class EnterpriseSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    enterprise_type = fields.String(allow_none=True)
    enterprise_type_label = fields.String(allow_none=True)
    filed = fields.Boolean()
    filed_at = fields.DateTime(allow_none=True)
    publicity_until = fields.Date(allow_none=True)
    publicity_lapsed = fields.Boolean()
    filed_record = value_field(FILED_RECORD, "备案信息：各部分按栏目声明（身份证号脱敏）")


class PersonQuerySchema(PageArgsSchema):
    q = fields.String(load_default=None, metadata={"description": "按姓名搜索"})


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    id_number = fields.String(metadata={"description": "身份证号（脱敏）"})
    role = fields.String()
    employed_since = fields.String()


PersonPageSchema = page_schema(PersonSchema, "PersonPage")


@blp.route("/enterprise")
class EnterpriseResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, EnterpriseSchema)
    def get(self) -> Any:
        """本企业的备案信息与公示有效期"""
        return enterprises.enterprise_profile(services(), current_enterprise())


@blp.route("/persons")
class PersonCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.response(200, PersonPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """可选人员：已实名认证且与本企业存在聘用关系的人员（分页，可按姓名搜索）"""
        return persons.selectable_persons(services(), current_enterprise(), args["q"], args["page"], args["page_size"])
