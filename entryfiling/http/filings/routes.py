"""The filing routes, built once for every HTTP layer that handles filings.

The enterprise API (CA login) and the mini-program (a filing contact acting for an enterprise)
offer the same operations on the same use cases; they differ only in the URL prefix and in who
the actor is. Links in the answers are built for the blueprint that serves them, so each API's
answers point at its own routes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Response, request, send_file
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling import messages as msg
from entryfiling.domain.content_types import LABELS as CONTENT_TYPE_LABELS
from entryfiling.domain.errors import ValidationFailed
from entryfiling.http.answer_cache import kept_answer
from entryfiling.http.auth import BEARER_SECURITY, services
from entryfiling.http.downloads import name_download
from entryfiling.http.filings.conversation import register_conversation_routes
from entryfiling.http.filings.guided_rendering import guided_body
from entryfiling.http.filings.rendering import encoded, filing_body, json_response, page_body
from entryfiling.http.filings.schemas import (
    AnswerSchema,
    BackSchema,
    FilingListArgsSchema,
    FilingPageSchema,
    FilingSchema,
    GuidedStepSchema,
    LetterPhotosSchema,
    OpenFilingSchema,
    SectionValuesSchema,
    SubmitSchema,
    UploadSchema,
)
from entryfiling.http.links import Answer, path_for, register_links
from entryfiling.http.multipart import MULTIPART, MultipartBlueprint
from handlers import filings, guided, rows
from handlers.filings import FilingView
from handlers.filings.letter_photos import upload_letter_photos
from handlers.guided_views import GuidedView
from handlers.services import Actor

PDF_RESPONSE = {
    "200": {
        "description": "PDF 文件",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
# Uploads are stored only as these types (checked by content), so downloads are one of them.
FILE_RESPONSE = {
    "200": {
        "description": "附件文件（PDF、JPEG 或 PNG）",
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in CONTENT_TYPE_LABELS},
    }
}
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
MAX_IDEMPOTENCY_KEY = 200

# (actor for the URL's scope, e.g. the enterprise id of the mini-program's prefix)
ActorOf = Callable[..., Actor]
# The URL prefix's arguments for a read model (e.g. its enterprise id), to link it.
ScopeOf = Callable[[Any], dict[str, Any]]


def no_scope(_model: Any) -> dict[str, Any]:
    return {}


def register_filing_links(blueprint: str, filing_routes: str, scope_of: ScopeOf) -> None:
    """Links of ``blueprint``'s answers to the filing routes of ``filing_routes`` (often itself)."""

    def to(endpoint: str, model: Any, **values: Any) -> str:
        return path_for(f"{filing_routes}.{endpoint}", **scope_of(model), **values)

    register_links(
        blueprint,
        attachment=lambda a: to("AttachmentItem", a, filing_id=a.filing_id, attachment_id=a.id),
        commitment_letter=lambda f: to("CommitmentLetter", f, filing_id=_filing_id(f)),
        submit=lambda f: to("SubmitResource", f, filing_id=_filing_id(f)),
        filing=lambda f: to("FilingItem", f, filing_id=_filing_id(f)),
    )


def _filing_id(model: Any) -> int:
    return int(model.filing_id if hasattr(model, "filing_id") else model.id)


def send_attachment(found: filings.AttachmentFile) -> Response:
    """An uploaded file as a download, never rendered inline by the browser."""
    response = send_file(found.open(), mimetype=found.content_type, etag=found.sha256, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return name_download(response, found.filename, found.ascii_filename)


def _idempotency_key() -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed.on(
            "Idempotency-Key", msg.IDEMPOTENCY_KEY_TOO_LONG, hint=msg.IDEMPOTENCY_KEY_TOO_LONG_HINT
        )
    return key


def filings_blueprint(
    name: str, import_name: str, url_prefix: str, description: str, actor_of: ActorOf, scope_of: ScopeOf = no_scope
) -> Blueprint:
    """A blueprint with every filing operation; ``actor_of`` receives the URL prefix's arguments,
    ``scope_of`` gives them back for a read model when linking it."""
    blp = MultipartBlueprint(name, import_name, url_prefix=url_prefix, description=description)
    register_filing_links(name, name, scope_of)
    # An instance, not the class: webargs builds a schema given as a class anew on every request
    # (a fifth of a kept records answer's cost); a Schema's load keeps no state between calls.
    list_args = FilingListArgsSchema()
    section_values = SectionValuesSchema()

    def answer(view: FilingView, scope: dict[str, Any], status: int = 200) -> Answer:
        """Every route answering with a filing renders it here (see ``rendering``)."""
        return json_response(filing_body(view)), status, {"ETag": view.etag}

    @blp.route("")
    class FilingCollection(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(list_args, location="query")
        @blp.response(200, FilingPageSchema)
        def get(self, args: dict[str, Any], **scope: Any) -> Any:
            """查询进疆信息报送记录（status=draft 为草稿箱），分页"""
            actor = actor_of(**scope)

            def render() -> tuple[bytes, str | None]:
                return encoded(page_body(filings.list_filings(services(), actor, **args))), None

            # Kept per data version (answer_cache); the arguments as parsed, so ?page=1 is no page given.
            return kept_answer(actor, (tuple(sorted(args.items())),), render, conditional=True)

        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(OpenFilingSchema)
        @blp.response(201, FilingSchema)
        @blp.alt_response(200, schema=FilingSchema, description="已有同一业务的在办办件，返回该办件")
        def post(self, body: dict[str, Any], **scope: Any) -> Answer:
            """办理业务：新建草稿（同一业务已有在办办件时返回该办件）"""
            opened = filings.open_filing(services(), actor_of(**scope), body["business"], body["enterprise_type"])
            return answer(opened.filing, scope, 201 if opened.created else 200)

    @blp.route("/<int:filing_id>")
    class FilingItem(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.response(200, FilingSchema)
        def get(self, filing_id: int, **scope: Any) -> Any:
            """办件详情：各栏目、附件、完整性、状态记录"""
            actor = actor_of(**scope)

            def render() -> tuple[bytes, str | None]:
                view = filings.get_filing(services(), actor, filing_id)
                return encoded(filing_body(view)), view.etag

            # Kept per data version (answer_cache): the detail also shows the persons it chose and
            # the day's expiry warnings. Its ETag stays the filing's (what If-Match of a save names).
            persons = actor.answer_versions.persons if actor.answer_versions else None
            return kept_answer(actor, (filing_id, persons, services().today()), render, conditional=False)

        @blp.doc(security=BEARER_SECURITY)
        @blp.response(204)
        def delete(self, filing_id: int, **scope: Any) -> None:
            """删除草稿（已提交的办件不能删除）"""
            filings.discard_draft(services(), actor_of(**scope), filing_id)

    @blp.route("/<int:filing_id>/sections/<string:section_key>")
    class SectionResource(MethodView):
        @blp.doc(security=BEARER_SECURITY, parameters=[IF_MATCH])
        @blp.arguments(section_values)
        @blp.response(200, FilingSchema)
        def put(self, values: dict[str, Any], filing_id: int, section_key: str, **scope: Any) -> Answer:
            """保存一个栏目（可部分保存；给出的字段逐项校验，null 清空该字段）"""
            view = filings.save_section(
                services(), actor_of(**scope), filing_id, section_key, values, request.headers.get("If-Match")
            )
            return answer(view, scope)

    @blp.route("/<int:filing_id>/attachments")
    class AttachmentCollection(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(UploadSchema, location=MULTIPART)
        @blp.response(201, FilingSchema)
        def post(self, form: dict[str, Any], filing_id: int, **scope: Any) -> Answer:
            """上传附件（multipart：kind + file，小程序 wx.uploadFile 的 name=file）；按内容判断类型，限制大小和数量"""
            upload = form["file"]
            view = filings.upload_attachment(
                services(), actor_of(**scope), filing_id, form["kind"], upload.filename or "", upload.stream
            )
            return answer(view, scope, 201)

    @blp.route("/<int:filing_id>/commitment-letter/photos")
    class CommitmentLetterPhotos(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(LetterPhotosSchema, location=MULTIPART)
        @blp.response(201, FilingSchema)
        def post(self, _files: dict[str, Any], filing_id: int, **scope: Any) -> Answer:
            """上传签字盖章承诺书的各页照片（multipart，file 可多次，JPEG/PNG，按页序）：合成为一个 PDF 作为签章承诺书，
            保留每张原图的 SHA-256"""
            pages = [(upload.filename or "", upload.stream) for upload in request.files.getlist("file")]
            view = upload_letter_photos(services(), actor_of(**scope), filing_id, pages)
            return answer(view, scope, 201)

    @blp.route("/<int:filing_id>/attachments/<string:attachment_id>")
    class AttachmentItem(MethodView):
        @blp.doc(security=BEARER_SECURITY, responses=FILE_RESPONSE)
        def get(self, filing_id: int, attachment_id: str, **scope: Any) -> ResponseReturnValue:
            """下载附件（仅本企业）"""
            return send_attachment(filings.open_attachment(services(), actor_of(**scope), filing_id, attachment_id))

        @blp.doc(security=BEARER_SECURITY)
        @blp.response(200, FilingSchema)
        def delete(self, filing_id: int, attachment_id: str, **scope: Any) -> Answer:
            """删除草稿中的附件"""
            return answer(filings.delete_attachment(services(), actor_of(**scope), filing_id, attachment_id), scope)

    @blp.route("/<int:filing_id>/commitment-letter")
    class CommitmentLetter(MethodView):
        @blp.doc(security=BEARER_SECURITY, responses=PDF_RESPONSE)
        def get(self, filing_id: int, **scope: Any) -> ResponseReturnValue:
            """下载企业诚信守法承诺书（已填入法定代表人和驻疆负责人信息的 PDF）"""
            letter = filings.commitment_letter(services(), actor_of(**scope), filing_id)
            response = send_file(io.BytesIO(letter.pdf), mimetype="application/pdf")
            return name_download(response, letter.filename, letter.ascii_filename)

    @blp.route("/<int:filing_id>/submit")
    class SubmitResource(MethodView):
        @blp.doc(security=BEARER_SECURITY, parameters=[IDEMPOTENCY_KEY])
        @blp.arguments(SubmitSchema)
        @blp.response(200, FilingSchema)
        def post(self, body: dict[str, Any], filing_id: int, **scope: Any) -> ResponseReturnValue:
            """提交申请：校验后自动审批，返回审批结果"""
            result = filings.submit_filing(
                services(),
                actor_of(**scope),
                filing_id,
                agreed=body["agreed"],
                signed_letter_id=body["signed_letter"],
                idempotency_key=_idempotency_key(),
            )
            view, status, headers = answer(result.filing, scope)
            if result.replayed:
                headers["Idempotent-Replayed"] = "true"
            return view, status, headers

    @blp.route("/<int:filing_id>/withdraw")
    class WithdrawResource(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.response(200, FilingSchema)
        def post(self, filing_id: int, **scope: Any) -> Answer:
            """撤回：审批决定前撤回已提交的办件（If-Match 可选）"""
            view = filings.withdraw_filing(services(), actor_of(**scope), filing_id, request.headers.get("If-Match"))
            return answer(view, scope)

    @blp.route("/<int:filing_id>/copy")
    class CopyResource(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.response(201, FilingSchema)
        def post(self, filing_id: int, **scope: Any) -> Answer:
            """复制审批不通过（或已撤回）的办件为新草稿，修改后重新提交；签章承诺书需重新上传"""
            return answer(filings.copy_filing(services(), actor_of(**scope), filing_id), scope, 201)

    @blp.route("/<int:filing_id>/sections/<string:section_key>/tables/<string:field_key>/rows/<int:row>/cancel")
    class RowCancel(MethodView):
        @blp.doc(security=BEARER_SECURITY, parameters=[IF_MATCH])
        @blp.response(200, FilingSchema)
        def post(self, filing_id: int, section_key: str, field_key: str, row: int, **scope: Any) -> Answer:
            """取消登记：把表格第 row 行（从 1 起）移入已取消登记的记录（如已取消登记资质）"""
            view = rows.cancel_row(
                services(), actor_of(**scope), filing_id, section_key, field_key, row, request.headers.get("If-Match")
            )
            return answer(view, scope)

    register_guided_routes(blp, actor_of)
    return blp


def register_guided_routes(blp: Blueprint, actor_of: ActorOf) -> None:
    """Step-by-step filling: next item, one answer, back (web and phone alike)."""
    answers = AnswerSchema()  # an instance, as filings_blueprint's arguments (built once, not per request)

    def answer(view: GuidedView) -> Answer:
        """Every guided route answers here, rendered by hand (see ``guided_rendering``)."""
        return json_response(guided_body(view)), 200, {"ETag": view.etag}

    register_conversation_routes(blp, actor_of)

    @blp.route("/<int:filing_id>/next")
    class GuidedNext(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.response(200, GuidedStepSchema)
        def get(self, filing_id: int, **scope: Any) -> Answer:
            """逐项填写：下一项还缺什么（栏目、字段、提示、类型、可选项或可选人员、进度）；全部完成时说明如何提交"""
            return answer(guided.next_step(services(), actor_of(filing_id=filing_id, **scope), filing_id))

    @blp.route("/<int:filing_id>/answers")
    class GuidedAnswer(MethodView):
        @blp.doc(security=BEARER_SECURITY, parameters=[IF_MATCH])
        @blp.arguments(answers)
        @blp.response(200, GuidedStepSchema)
        def post(self, body: dict[str, Any], filing_id: int, **scope: Any) -> Answer:
            """逐项填写：回答一项（与栏目保存同样的校验），返回下一项；答错时返回原因和同一问题"""
            actor = actor_of(filing_id=filing_id, **scope)
            return answer(
                guided.answer(
                    services(), actor, filing_id, body["field"], body["value"], request.headers.get("If-Match")
                )
            )

    @blp.route("/<int:filing_id>/back")
    class GuidedBack(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(BackSchema, required=False)
        @blp.response(200, GuidedStepSchema)
        def post(self, body: dict[str, Any], filing_id: int, **scope: Any) -> Answer:
            """逐项填写：回到上一项（可修改任何已答项）"""
            return answer(guided.back(services(), actor_of(filing_id=filing_id, **scope), filing_id, body["from_"]))
