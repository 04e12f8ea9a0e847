from marshmallow import Schema, fields, validate

from entryfiling.http.links import link
from handlers.sync import CERTIFICATES, QUALIFICATIONS


class ProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "sync_certificates 或 sync_qualifications"})
    kind_label = fields.String()
    status = fields.String(metadata={"description": "queued / started / retrying / finished / failed"})
    status_label = fields.String()
    filing_id = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    progress = fields.Nested(ProgressSchema)
    result = fields.Dict(
        allow_none=True,
        metadata={"description": "完成后的结果：counts（added/updated/unchanged/removed/failed）及明细，failed 含原因"},
    )
    error = fields.String(allow_none=True, metadata={"description": "失败（或等待重试）的原因"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    url = link("job", "任务状态")


class StartedJobSchema(JobSchema):
    reused = fields.Boolean(metadata={"description": "true：同一企业已有同类同步在执行，返回的是该任务"})


class JobListSchema(Schema):
    items = fields.List(fields.Nested(JobSchema))


class FilingSyncSchema(Schema):
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf([CERTIFICATES, QUALIFICATIONS]),
        metadata={"description": "业务有多个可同步栏目时指定；默认为业务声明的那一个"},
    )


class SyncedCertificateSchema(Schema):
    person = fields.Dict()
    certificate_type = fields.String()
    certificate_number = fields.String()
    specialty = fields.String()
    registered_enterprise = fields.String()
    issued_on = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    registered_elsewhere = fields.Boolean(metadata={"description": "证书注册在其他企业：不会纳入本企业报送"})
    synced_at = fields.String()


class SyncedCertificateListSchema(Schema):
    items = fields.List(fields.Nested(SyncedCertificateSchema))
