"""Employment invitations the enterprise gives its people, accepted in the mini-program."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.http.pagination import PageArgsSchema
from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from entryfiling.web_api.invitations.schemas import CreateInvitationSchema, InvitationPageSchema, InvitationSchema
from handlers import invitations

blp = Blueprint(
    "invitations", __name__, url_prefix="/api/v1/invitations", description="聘用邀请（小程序扫码或输入邀请码接受）"
)


@blp.route("")
class InvitationCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, InvitationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """本企业发出的邀请及其状态"""
        return invitations.list_invitations(services(), current_enterprise(), args["page"], args["page_size"])

    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(CreateInvitationSchema)
    @blp.response(201, InvitationSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """生成聘用邀请：返回一次性邀请码和二维码内容，过期失效"""
        return invitations.create_invitation(
            services(), current_enterprise(), body["role"], body["note"], body["ttl_hours"]
        )


@blp.route("/<int:invitation_id>")
class InvitationItem(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, InvitationSchema)
    def delete(self, invitation_id: int) -> dict[str, Any]:
        """作废尚未使用的邀请"""
        return invitations.revoke_invitation(services(), current_enterprise(), invitation_id)


WXACODE_RESPONSE = {
    "200": {
        "description": "小程序码图片（PNG）：微信扫一扫打开小程序的接受邀请页面，scene 为邀请码",
        "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@blp.route("/<int:invitation_id>/wxacode")
class InvitationWxacode(MethodView):
    @blp.doc(security=BEARER_SECURITY, responses=WXACODE_RESPONSE)
    def get(self, invitation_id: int) -> Response:
        """邀请的小程序码（wxacode.getUnlimited；仅待接受的邀请）"""
        image = invitations.invitation_wxacode(services(), current_enterprise(), invitation_id)
        return Response(image, mimetype="image/png", headers={"Cache-Control": "private, no-store"})
