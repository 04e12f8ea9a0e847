from typing import Any

from marshmallow import Schema, fields, validate

from entryfiling.domain.businesses import EnterpriseType
from entryfiling.http.pagination import PageArgsSchema, page_schema
from entryfiling.http.value_schemas import SECTION_VALUE_MAP, value_field
from handlers.register import LAPSED, VALID


class RegisterQuerySchema(PageArgsSchema):
    q = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"description": "企业名称（包含）"}
    )
    uscc = fields.String(
        load_default=None, validate=validate.Length(max=18), metadata={"description": "统一社会信用代码"}
    )
    enterprise_type = fields.String(
        load_default=None,
        validate=validate.OneOf([t.value for t in EnterpriseType]),
        metadata={"description": "企业类型"},
    )
    qualification = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"description": "资质名称（包含）"}
    )
    publicity_status = fields.String(
        load_default=None,
        validate=validate.OneOf([VALID, LAPSED]),
        metadata={"description": "valid 公示中 / lapsed 公示已过期；不填则全部"},
    )
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=400),
        metadata={"description": "从上一页返回的 next 之后继续（翻页深时比 page 快）"},
    )


class PublicRecordPartSchema(Schema):
    """One published part: ``{label, values}`` or ``{label, items}`` (a dict, whose own ``values`` and
    ``items`` methods must not be taken for the absent key)."""

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return obj.get(attr, default) if isinstance(obj, dict) else super().get_attribute(obj, attr, default)

    label = fields.String(required=True, metadata={"description": "这一部分的名称，如 企业资质情况"})
    values = value_field(SECTION_VALUE_MAP, "公示的字段 → 值")
    items = fields.List(
        value_field(SECTION_VALUE_MAP, "一项（如一个项目）"), metadata={"description": "逐项公示的部分"}
    )


class PublicEnterpriseSchema(Schema):
    name = fields.String()
    uscc = fields.String()
    enterprise_type = fields.String(allow_none=True)
    enterprise_type_label = fields.String(allow_none=True)
    filed_at = fields.String()
    publicity_until = fields.String(allow_none=True)
    publicity_status = fields.String(metadata={"description": "valid / lapsed"})
    publicity_status_label = fields.String()
    record = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(PublicRecordPartSchema),
        metadata={"description": "公示的备案信息：资质（含有效期、是否过期）、负责人（仅姓名）、驻疆机构、项目"},
    )


class PublicEnterprisePageSchema(page_schema(PublicEnterpriseSchema, "PublicEnterprisePageBase")):  # type: ignore[misc]
    next = fields.String(allow_none=True, metadata={"description": "下一页的 after 值；没有下一页时为 null"})
    total_capped = fields.Boolean(
        metadata={"description": "为 true 时符合条件的企业多于 total（计数上限），请缩小查询条件或按 next 继续翻页"}
    )
