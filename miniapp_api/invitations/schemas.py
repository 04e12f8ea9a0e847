from marshmallow import Schema, fields, validate


class AcceptSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "企业提供的邀请码，或扫描二维码得到的内容"},
    )


class EmploymentSchema(Schema):
    id = fields.Integer()
    role = fields.String(metadata={"description": "employee 员工 / filing_contact 报送联系人"})
    role_label = fields.String()
    current = fields.Boolean(metadata={"description": "是否为当前有效的聘用关系"})
    started_at = fields.String()
    ended_at = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    person = fields.Dict()
    enterprise = fields.Dict()
