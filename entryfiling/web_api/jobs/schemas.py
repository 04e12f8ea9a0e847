from marshmallow import Schema, fields, validate

from entryfiling.http.links import link
from handlers.sync import CERTIFICATES, QUALIFICATIONS


class ProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()


class JobFailureSchema(Schema):
    item = fields.String(metadata={"description": "未能同步的对象（人员证书、资质）"})
    reason = fields.String(metadata={"description": "原因（给用户看）"})


class JobFilingSchema(Schema):
    id = fields.Integer(metadata={"description": "填入的办件"})
    rows = fields.Integer(metadata={"description": "表格现有行数"})
    changed = fields.Boolean(metadata={"description": "办件是否因此改变"})


class JobResultSchema(Schema):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "各类数目：added / updated / unchanged / removed / failed"},
    )
    added = fields.List(fields.String(), metadata={"description": "新增的证书或资质"})
    updated = fields.List(fields.String())
    unchanged = fields.List(fields.String())
    removed = fields.List(fields.String())
    failed = fields.List(fields.Nested(JobFailureSchema))
    offered = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "（资质同步）平台登记的资质：列 → 值"},
    )
    filing = fields.Nested(JobFilingSchema, metadata={"description": "（一键同步）填入办件的情况"})


class SyncedPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class JobSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "sync_certificates 或 sync_qualifications"})
    kind_label = fields.String()
    status = fields.String(metadata={"description": "queued / started / retrying / finished / failed"})
    status_label = fields.String()
    filing_id = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    progress = fields.Nested(ProgressSchema)
    result = fields.Nested(
        JobResultSchema,
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
    person = fields.Nested(SyncedPersonSchema)
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
