"""Filings (办件): open, sections, attachments, commitment letter, submit, records and drafts."""

from __future__ import annotations

import io
from typing import Any

from flask import request, send_file
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling import messages as msg
from entryfiling.domain.errors import ValidationFailed
from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from entryfiling.web_api.filings.schemas import (
    AnswerSchema,
    BackSchema,
    FilingListArgsSchema,
    FilingPageSchema,
    FilingSchema,
    GuidedStepSchema,
    OpenFilingSchema,
    SectionValuesSchema,
    SubmitSchema,
    UploadFileSchema,
    UploadFormSchema,
)
from handlers import filings, guided, rows

blp = Blueprint(
    "filings",
    __name__,
    url_prefix="/api/v1/filings",
    description="进疆信息报送办件：填写、附件、承诺书、提交、记录与草稿箱",
)

PDF_RESPONSE = {"200": {"description": "PDF 文件", "content": {"application/pdf": {}}}}
FILE_RESPONSE = {"200": {"description": "附件文件", "content": {"application/octet-stream": {}}}}


def with_etag(view: dict[str, Any], status: int = 200) -> tuple[dict[str, Any], int, dict[str, str]]:
    return view, status, {"ETag": view["etag"]}


@blp.route("")
class FilingCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(FilingListArgsSchema, location="query")
    @blp.response(200, FilingPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """查询进疆信息报送记录（status=draft 为草稿箱），分页"""
        return filings.list_filings(services(), current_enterprise(), **args)

    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(OpenFilingSchema)
    @blp.response(201, FilingSchema)
    @blp.alt_response(200, schema=FilingSchema, description="已有同一业务的在办办件，返回该办件")
    def post(self, body: dict[str, Any]) -> ResponseReturnValue:
        """办理业务：新建草稿（同一业务已有在办办件时返回该办件）"""
        opened = filings.open_filing(services(), current_enterprise(), body["business"], body["enterprise_type"])
        return with_etag(opened.filing, 201 if opened.created else 200)


@blp.route("/<int:filing_id>")
class FilingItem(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, FilingSchema)
    def get(self, filing_id: int) -> ResponseReturnValue:
        """办件详情：各栏目、附件、完整性、状态记录"""
        return with_etag(filings.get_filing(services(), current_enterprise(), filing_id))

    @blp.doc(security=BEARER_SECURITY)
    @blp.response(204)
    def delete(self, filing_id: int) -> None:
        """删除草稿（已提交的办件不能删除）"""
        filings.discard_draft(services(), current_enterprise(), filing_id)


@blp.route("/<int:filing_id>/sections/<string:section_key>")
class SectionResource(MethodView):
    @blp.doc(
        security=BEARER_SECURITY,
        parameters=[
            {
                "in": "header",
                "name": "If-Match",
                "required": True,
                "schema": {"type": "string"},
                "description": "最近一次读取办件时的 ETag",
            }
        ],
    )
    @blp.arguments(SectionValuesSchema)
    @blp.response(200, FilingSchema)
    def put(self, values: dict[str, Any], filing_id: int, section_key: str) -> ResponseReturnValue:
        """保存一个栏目（可部分保存；给出的字段逐项校验，null 清空该字段）"""
        view = filings.save_section(
            services(), current_enterprise(), filing_id, section_key, values, request.headers.get("If-Match")
        )
        return with_etag(view)


@blp.route("/<int:filing_id>/attachments")
class AttachmentCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(201, FilingSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """上传附件（multipart：kind + file）；按文件内容判断类型，限制大小和数量"""
        upload = files.get("file")
        if upload is None:
            raise ValidationFailed(msg.ATTACHMENT_FILE_MISSING, errors={"file": msg.ATTACHMENT_FILE_MISSING})
        view = filings.upload_attachment(
            services(), current_enterprise(), filing_id, form.get("kind"), upload.filename or "", upload.stream
        )
        return with_etag(view, 201)


@blp.route("/<int:filing_id>/attachments/<string:attachment_id>")
class AttachmentItem(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=FILE_RESPONSE)
    def get(self, filing_id: int, attachment_id: str) -> ResponseReturnValue:
        """下载附件（仅本企业）"""
        found = filings.open_attachment(services(), current_enterprise(), filing_id, attachment_id)
        response = send_file(
            found.path,
            mimetype=found.content_type,
            as_attachment=True,
            download_name=found.filename,
            etag=found.sha256,
            conditional=True,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, FilingSchema)
    def delete(self, filing_id: int, attachment_id: str) -> ResponseReturnValue:
        """删除草稿中的附件"""
        return with_etag(filings.delete_attachment(services(), current_enterprise(), filing_id, attachment_id))


@blp.route("/<int:filing_id>/commitment-letter")
class CommitmentLetter(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=PDF_RESPONSE)
    def get(self, filing_id: int) -> ResponseReturnValue:
        """下载企业诚信守法承诺书（已填入法定代表人和驻疆负责人信息的 PDF）"""
        pdf, filename = filings.commitment_letter(services(), current_enterprise(), filing_id)
        return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)


@blp.route("/<int:filing_id>/submit")
class SubmitResource(MethodView):
    @blp.doc(
        security=BEARER_SECURITY,
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "重试同一提交时使用相同的值，只会提交一次",
            }
        ],
    )
    @blp.arguments(SubmitSchema)
    @blp.response(200, FilingSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """提交申请：校验后自动审批，返回审批结果"""
        key = (request.headers.get("Idempotency-Key") or "").strip() or None
        if key is not None and len(key) > 200:
            raise ValidationFailed(
                msg.IDEMPOTENCY_KEY_TOO_LONG, errors={"Idempotency-Key": msg.IDEMPOTENCY_KEY_TOO_LONG}
            )
        result = filings.submit_filing(
            services(),
            current_enterprise(),
            filing_id,
            agreed=body["agreed"],
            signed_letter_id=body["signed_letter"],
            idempotency_key=key,
        )
        view, status, headers = with_etag(result.filing)
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return view, status, headers


@blp.route("/<int:filing_id>/sections/<string:section_key>/tables/<string:field_key>/rows/<int:row>/cancel")
class RowCancel(MethodView):
    @blp.doc(
        security=BEARER_SECURITY,
        parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}],
    )
    @blp.response(200, FilingSchema)
    def post(self, filing_id: int, section_key: str, field_key: str, row: int) -> ResponseReturnValue:
        """取消登记：把表格第 row 行（从 1 起）移入已取消登记的记录（如已取消登记资质）"""
        view = rows.cancel_row(
            services(), current_enterprise(), filing_id, section_key, field_key, row, request.headers.get("If-Match")
        )
        return with_etag(view)


@blp.route("/<int:filing_id>/next")
class GuidedNext(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, GuidedStepSchema)
    def get(self, filing_id: int) -> ResponseReturnValue:
        """逐项填写：下一项还缺什么（栏目、字段、提示、类型、可选项、进度）"""
        view = guided.next_step(services(), current_enterprise(), filing_id)
        return view, 200, {"ETag": view["etag"]}


@blp.route("/<int:filing_id>/answers")
class GuidedAnswer(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(AnswerSchema)
    @blp.response(200, GuidedStepSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """逐项填写：回答一项（与栏目保存同样的校验），返回下一项；答错时返回原因和同一问题"""
        view = guided.answer(
            services(), current_enterprise(), filing_id, body["field"], body["value"], request.headers.get("If-Match")
        )
        return view, 200, {"ETag": view["etag"]}


@blp.route("/<int:filing_id>/back")
class GuidedBack(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(BackSchema)
    @blp.response(200, GuidedStepSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """逐项填写：回到上一项"""
        view = guided.back(services(), current_enterprise(), filing_id, body["from_"])
        return view, 200, {"ETag": view["etag"]}
