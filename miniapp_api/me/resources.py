"""The caller's own state: identity, employments, where they may file; their phone number."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers import me, wechat_users
from miniapp_api.auth import BEARER_SECURITY, current_user, services
from miniapp_api.me.schemas import MeSchema, PhoneCodeSchema, PhoneSchema

blp = Blueprint("miniapp_me", __name__, url_prefix="/miniapp/v1/me", description="我的信息")


@blp.route("")
class MeResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """实名认证状态（脱敏）、聘用关系，以及可代为报送的企业"""
        return me.me(services(), current_user())


@blp.route("/phone")
class PhoneResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(PhoneCodeSchema)
    @blp.response(200, PhoneSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """绑定手机号（服务器调用 getuserphonenumber）"""
        return wechat_users.bind_phone(services(), current_user(), body["code"])
