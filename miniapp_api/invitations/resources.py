"""Accepting an enterprise's employment invitation on the phone."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers import invitations
from miniapp_api.auth import BEARER_SECURITY, current_user, services
from miniapp_api.invitations.schemas import AcceptSchema, EmploymentSchema, InvitationPreviewSchema, PreviewArgsSchema

blp = Blueprint("miniapp_invitations", __name__, url_prefix="/miniapp/v1/invitations", description="聘用邀请")


@blp.route("/accept")
class AcceptResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(AcceptSchema)
    @blp.response(201, EmploymentSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """接受聘用邀请（须已实名认证；邀请码一次性、有有效期）"""
        return invitations.accept_invitation(
            services(), current_user(), body["code"], confirm_role_change=body["confirm_role_change"]
        )


@blp.route("/preview")
class PreviewResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(PreviewArgsSchema, location="query")
    @blp.response(200, InvitationPreviewSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """接受前查看邀请：哪家企业、什么角色、接受后会有什么变化"""
        return invitations.preview_invitation(services(), current_user(), args["code"])
