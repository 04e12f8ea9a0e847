"""Background jobs: registry syncs (202 + job id) and their status, the same with or without Redis."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.http.links import Answer, path_for, register_links
from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from entryfiling.web_api.jobs.schemas import (
    FilingSyncSchema,
    JobListSchema,
    JobSchema,
    StartedJobSchema,
    SyncedCertificateListSchema,
)
from handlers import jobs, sync, sync_certificates

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1",
    description="后台任务：从全国建筑市场监管公共服务平台同步人员注册证书与企业资质，查询任务进度",
)


@dataclass(frozen=True)
class StartedJob(jobs.JobView):
    reused: bool = False


def accepted(started: jobs.Started) -> Answer:
    view = StartedJob(**{f.name: getattr(started.job, f.name) for f in fields(started.job)}, reused=not started.created)
    return view, 202, {"Location": url_for("jobs.JobItem", job_id=view.id)}


@blp.route("/filings/<int:filing_id>/sync")
class FilingSync(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(FilingSyncSchema)
    @blp.response(202, StartedJobSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> Answer:
        """一键同步人员注册证书 / 同步资质：后台同步并填入本办件，返回任务（202）"""
        return accepted(sync.start_filing_sync(services(), current_enterprise(), filing_id, body["kind"]))


@blp.route("/sync/certificates")
class CertificateSync(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, SyncedCertificateListSchema)
    def get(self) -> dict[str, Any]:
        """已同步的在职人员注册证书（注册在其他企业的证书已标记）"""
        return {"items": sync_certificates.enterprise_certificates(services(), current_enterprise())}

    @blp.doc(security=BEARER_SECURITY)
    @blp.response(202, StartedJobSchema)
    def post(self) -> Answer:
        """同步本企业全部在职且已实名认证人员的注册证书（不填入办件），返回任务（202）"""
        return accepted(sync.start_enterprise_sync(services(), current_enterprise(), sync.CERTIFICATES))


@blp.route("/sync/qualifications")
class QualificationSync(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(202, StartedJobSchema)
    def post(self) -> Answer:
        """查询全国平台上本企业的资质，结果中列出新增或变更的资质（不填入办件），返回任务（202）"""
        return accepted(sync.start_enterprise_sync(services(), current_enterprise(), sync.QUALIFICATIONS))


@blp.route("/jobs")
class JobCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, JobListSchema)
    def get(self) -> Any:
        """本企业最近的后台任务"""
        return {"items": jobs.list_jobs(services(), current_enterprise())}


@blp.route("/jobs/<string:job_id>")
class JobItem(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, JobSchema)
    def get(self, job_id: str) -> Any:
        """任务状态、进度（done/total）与结果（新增/更新/未变/失败及原因）"""
        return jobs.get_job(services(), current_enterprise(), job_id)


register_links(blp.name, job=lambda job: path_for("jobs.JobItem", job_id=job.id))
