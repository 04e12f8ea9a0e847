"""Subscribe-message consent reported by the mini-program (wx.requestSubscribeMessage result)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from handlers import subscriptions
from miniapp_api.auth import BEARER_SECURITY, current_user, services

blp = Blueprint("miniapp_subscriptions", __name__, url_prefix="/miniapp/v1/subscriptions", description="订阅消息授权")


class ConsentSchema(Schema):
    results = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "wx.requestSubscribeMessage 的结果：模板编号 → accept / reject / ban / filter"},
    )


class QuotaSchema(Schema):
    quotas = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "每个模板剩余可发送次数"}
    )


@blp.route("")
class SubscriptionResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, QuotaSchema)
    def get(self) -> dict[str, Any]:
        """各订阅消息模板剩余的一次性发送次数"""
        return {"quotas": subscriptions.quotas(services(), current_user())}

    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(ConsentSchema)
    @blp.response(200, QuotaSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """上报用户对订阅消息的授权结果；每个 accept 增加一次发送次数"""
        return {"quotas": subscriptions.record_consents(services(), current_user(), body["results"])}
