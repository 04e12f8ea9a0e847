"""Real-name verification with 微信人脸核身 (getverifyid → wx.requestFacialVerify → queryverifyinfo)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers import identity
from miniapp_api.auth import BEARER_SECURITY, current_user, services
from miniapp_api.identity.schemas import (
    StartVerificationSchema,
    VerificationResultSchema,
    VerificationStartedSchema,
)

blp = Blueprint("miniapp_identity", __name__, url_prefix="/miniapp/v1/identity", description="实名认证（微信人脸核身）")


@blp.route("/verifications")
class VerificationCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(StartVerificationSchema)
    @blp.response(201, VerificationStartedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """发起实名认证：校验姓名和身份证号，返回人脸核身会话 verify_id"""
        return identity.start_verification(services(), current_user(), body["name"], body["id_number"])


@blp.route("/verifications/<string:verify_id>/confirm")
class VerificationConfirm(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, VerificationResultSchema)
    def post(self, verify_id: str) -> dict[str, Any]:
        """完成人脸核身后确认：服务器向微信查询真实结果，通过（verify_ret=10000）才记为已实名认证"""
        return identity.confirm_verification(services(), current_user(), verify_id)
