"""Filings of an enterprise, handled from the phone by its filing contact (报送联系人).

The same ``handlers.filings`` use cases as the enterprise API, called with the contact's own
actor (audited under their name) acting for the enterprise in the path; only the URLs differ.
"""

from __future__ import annotations

import io
from typing import Any

from flask import request, send_file
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling import messages as msg
from entryfiling.domain.errors import ValidationFailed
from entryfiling.web_api.filings.schemas import (
    FilingListArgsSchema,
    FilingPageSchema,
    FilingSchema,
    OpenFilingSchema,
    SectionValuesSchema,
    SubmitSchema,
    UploadFileSchema,
    UploadFormSchema,
)
from handlers import filings
from handlers.employments import filing_contact_actor
from handlers.services import Actor
from miniapp_api.auth import BEARER_SECURITY, current_user, services

blp = Blueprint(
    "miniapp_filings",
    __name__,
    url_prefix="/miniapp/v1/enterprises/<int:enterprise_id>/filings",
    description="报送联系人在小程序为企业办理报送：与企业端相同的办件规则",
)

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "最近一次读取办件时的 ETag",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "重试同一提交时使用相同的值，只会提交一次",
}
PDF_RESPONSE = {"200": {"description": "PDF 文件", "content": {"application/pdf": {}}}}
FILE_RESPONSE = {"200": {"description": "附件文件", "content": {"application/octet-stream": {}}}}
ENTERPRISE_API_PREFIX = "/api/v1/filings/"


def _actor(enterprise_id: int) -> Actor:
    return filing_contact_actor(services(), current_user(), enterprise_id)


def _here(view: Any, enterprise_id: int) -> Any:
    """The filing view with its links pointing at these mini-program URLs."""
    prefix = f"/miniapp/v1/enterprises/{enterprise_id}/filings/"
    if isinstance(view, dict):
        return {
            k: v.replace(ENTERPRISE_API_PREFIX, prefix, 1)
            if isinstance(v, str) and k.endswith("_url")
            else _here(v, enterprise_id)
            for k, v in view.items()
        }
    if isinstance(view, list):
        return [_here(v, enterprise_id) for v in view]
    return view


def _with_etag(view: dict[str, Any], enterprise_id: int, status: int = 200) -> ResponseReturnValue:
    return _here(view, enterprise_id), status, {"ETag": view["etag"]}


@blp.route("")
class FilingCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(FilingListArgsSchema, location="query")
    @blp.response(200, FilingPageSchema)
    def get(self, args: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
        """查询该企业的进疆信息报送记录（status=draft 为草稿箱）"""
        return filings.list_filings(services(), _actor(enterprise_id), **args)

    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(OpenFilingSchema)
    @blp.response(201, FilingSchema)
    @blp.alt_response(200, schema=FilingSchema, description="已有同一业务的在办办件，返回该办件")
    def post(self, body: dict[str, Any], enterprise_id: int) -> ResponseReturnValue:
        """办理业务：新建草稿（同一业务已有在办办件时返回该办件）"""
        opened = filings.open_filing(services(), _actor(enterprise_id), body["business"], body["enterprise_type"])
        return _with_etag(opened.filing, enterprise_id, 201 if opened.created else 200)


@blp.route("/<int:filing_id>")
class FilingItem(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, FilingSchema)
    def get(self, enterprise_id: int, filing_id: int) -> ResponseReturnValue:
        """办件详情：各栏目、附件、完整性、状态记录"""
        return _with_etag(filings.get_filing(services(), _actor(enterprise_id), filing_id), enterprise_id)

    @blp.doc(security=BEARER_SECURITY)
    @blp.response(204)
    def delete(self, enterprise_id: int, filing_id: int) -> None:
        """删除草稿"""
        filings.discard_draft(services(), _actor(enterprise_id), filing_id)


@blp.route("/<int:filing_id>/sections/<string:section_key>")
class SectionResource(MethodView):
    @blp.doc(security=BEARER_SECURITY, parameters=[IF_MATCH])
    @blp.arguments(SectionValuesSchema)
    @blp.response(200, FilingSchema)
    def put(self, values: dict[str, Any], enterprise_id: int, filing_id: int, section_key: str) -> ResponseReturnValue:
        """保存一个栏目（可部分保存；null 清空该字段）"""
        view = filings.save_section(
            services(), _actor(enterprise_id), filing_id, section_key, values, request.headers.get("If-Match")
        )
        return _with_etag(view, enterprise_id)


@blp.route("/<int:filing_id>/attachments")
class AttachmentCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(201, FilingSchema)
    def post(
        self, form: dict[str, Any], files: dict[str, Any], enterprise_id: int, filing_id: int
    ) -> ResponseReturnValue:
        """上传附件（multipart：kind + file，即 wx.uploadFile 的 name=file）"""
        upload = files.get("file")
        if upload is None:
            raise ValidationFailed(msg.ATTACHMENT_FILE_MISSING, errors={"file": msg.ATTACHMENT_FILE_MISSING})
        view = filings.upload_attachment(
            services(), _actor(enterprise_id), filing_id, form.get("kind"), upload.filename or "", upload.stream
        )
        return _with_etag(view, enterprise_id, 201)


@blp.route("/<int:filing_id>/attachments/<string:attachment_id>")
class AttachmentItem(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=FILE_RESPONSE)
    def get(self, enterprise_id: int, filing_id: int, attachment_id: str) -> ResponseReturnValue:
        """下载附件"""
        found = filings.open_attachment(services(), _actor(enterprise_id), filing_id, attachment_id)
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
    def delete(self, enterprise_id: int, filing_id: int, attachment_id: str) -> ResponseReturnValue:
        """删除草稿中的附件"""
        view = filings.delete_attachment(services(), _actor(enterprise_id), filing_id, attachment_id)
        return _with_etag(view, enterprise_id)


@blp.route("/<int:filing_id>/commitment-letter")
class CommitmentLetter(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=PDF_RESPONSE)
    def get(self, enterprise_id: int, filing_id: int) -> ResponseReturnValue:
        """下载企业诚信守法承诺书（已填入法定代表人和驻疆负责人信息的 PDF）"""
        pdf, filename = filings.commitment_letter(services(), _actor(enterprise_id), filing_id)
        return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)


@blp.route("/<int:filing_id>/submit")
class SubmitResource(MethodView):
    @blp.doc(security=BEARER_SECURITY, parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(SubmitSchema)
    @blp.response(200, FilingSchema)
    def post(self, body: dict[str, Any], enterprise_id: int, filing_id: int) -> ResponseReturnValue:
        """提交申请：校验后自动审批，返回审批结果"""
        key = (request.headers.get("Idempotency-Key") or "").strip() or None
        if key is not None and len(key) > 200:
            raise ValidationFailed(
                msg.IDEMPOTENCY_KEY_TOO_LONG, errors={"Idempotency-Key": msg.IDEMPOTENCY_KEY_TOO_LONG}
            )
        result = filings.submit_filing(
            services(),
            _actor(enterprise_id),
            filing_id,
            agreed=body["agreed"],
            signed_letter_id=body["signed_letter"],
            idempotency_key=key,
        )
        view, status, headers = _with_etag(result.filing, enterprise_id)  # type: ignore[misc]
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return view, status, headers
