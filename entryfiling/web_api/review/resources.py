"""Regulator review (主管部门审核): login, the manual-review queue, a filing, and the decision.

Only regulator tokens pass (an enterprise's or a mini-program user's token is answered 403);
there is no route here that changes a filing's content.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling import messages as msg
from entryfiling.http.auth import BEARER_SECURITY, bearer_token, client_address, services
from entryfiling.http.filings.routes import FILE_RESPONSE, send_attachment
from entryfiling.http.gate import once_per_request
from entryfiling.http.links import Answer, path_for, register_links
from entryfiling.ops.web import note_actor
from entryfiling.web_api.review.schemas import (
    AuditArgsSchema,
    AuditPageSchema,
    DecisionSchema,
    RegulatorLoginSchema,
    RegulatorTokenSchema,
    ReviewFilingSchema,
    ReviewQueueArgsSchema,
    ReviewQueueSchema,
)
from handlers import audit, regulators, tokens
from handlers.pages import Page
from handlers.services import Actor

blp = Blueprint(
    "review",
    __name__,
    url_prefix="/api/v1/review",
    description="主管部门审核：待人工审核的办件、查看材料、审核通过或不通过",
)
IF_MATCH_OPTIONAL = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "查看办件时的 ETag（可选）：办件在此后被撤回等变化时返回 412",
}


def current_regulator() -> Actor:
    actor = once_per_request("regulator", lambda: regulators.authenticate(services(), regulator_token()))
    note_actor("regulator", actor.id.removeprefix("regulator:"))
    return actor


def regulator_token() -> str:
    return bearer_token(msg.AUTH_REQUIRED)


@blp.route("/login")
class RegulatorLogin(MethodView):
    @blp.arguments(RegulatorLoginSchema)
    @blp.response(200, RegulatorTokenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """主管部门审核人员以用户名和密码登录，返回 Bearer 令牌"""
        result = regulators.login(services(), body["username"], body["password"], client_address())
        return {
            "access_token": result.token,
            "token_type": "Bearer",
            "expires_in": result.expires_in,
            "regulator": result.regulator,
        }


@blp.route("/logout")
class RegulatorLogout(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(204)
    def post(self) -> None:
        """退出登录：本令牌立即失效"""
        tokens.logout(services(), tokens.REGULATOR, regulator_token(), current_regulator())


@blp.route("/filings")
class ReviewQueue(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(ReviewQueueArgsSchema, location="query")
    @blp.response(200, ReviewQueueSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """待人工审核的办件（等待最久的在前），分页"""
        return regulators.review_queue(services(), current_regulator(), **args)


@blp.route("/filings/<int:filing_id>")
class ReviewFiling(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, ReviewFilingSchema)
    def get(self, filing_id: int) -> Answer:
        """办件详情：各栏目、附件（可下载）、规则检查结果、状态记录"""
        view = regulators.get_filing(services(), current_regulator(), filing_id)
        return view, 200, {"ETag": view.etag}


@blp.route("/filings/<int:filing_id>/attachments/<string:attachment_id>")
class ReviewAttachment(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=FILE_RESPONSE)
    def get(self, filing_id: int, attachment_id: str) -> ResponseReturnValue:
        """下载办件附件（含签章承诺书）"""
        return send_attachment(regulators.open_attachment(services(), current_regulator(), filing_id, attachment_id))


@blp.route("/filings/<int:filing_id>/decision")
class ReviewDecision(MethodView):
    @blp.doc(security=BEARER_SECURITY, parameters=[IF_MATCH_OPTIONAL])
    @blp.arguments(DecisionSchema)
    @blp.response(200, ReviewFilingSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> Answer:
        """审核：通过（备案信息生效、公示、推送结果）或不通过（审核意见即原因）"""
        view = regulators.decide(
            services(),
            current_regulator(),
            filing_id,
            body["decision"],
            body["reason"],
            request.headers.get("If-Match"),
        )
        return view, 200, {"ETag": view.etag}


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> Page[audit.AuditEntry]:
        """安全审计日志：登录（成功与失败）、拒绝访问与各项操作，最新的在前；只读，分页，可按条件筛选"""
        page, page_size = args.pop("page"), args.pop("page_size")
        return audit.search(services(), current_regulator(), audit.AuditQuery(**args), page, page_size)


register_links(
    blp.name,
    filing=lambda f: path_for("review.ReviewFiling", filing_id=f.id),
    decision=lambda f: path_for("review.ReviewDecision", filing_id=f.id),
    attachment=lambda a: path_for("review.ReviewAttachment", filing_id=a.filing_id, attachment_id=a.id),
    commitment_letter=lambda _f: None,
)
