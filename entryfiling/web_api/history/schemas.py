from marshmallow import Schema, fields

from entryfiling.http.pagination import page_schema
from entryfiling.http.value_schemas import RECORD_CHANGE_VALUE, value_field


class ChangeSchema(Schema):
    section = fields.String(metadata={"description": "备案信息的部分（如 basic_info、publicity）"})
    section_label = fields.String()
    field = fields.String(allow_none=True)
    field_label = fields.String()
    change = fields.String(metadata={"description": "added / modified / removed"})
    before = value_field(RECORD_CHANGE_VALUE, "变更前的值", allow_none=True)
    after = value_field(RECORD_CHANGE_VALUE, "变更后的值", allow_none=True)


class HistoryItemSchema(Schema):
    filing_id = fields.Integer()
    reference = fields.String()
    business = fields.String()
    business_label = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema))


HistoryPageSchema = page_schema(HistoryItemSchema, "HistoryPage")
