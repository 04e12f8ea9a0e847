"""Subscribe-message consent reported by the mini-program (wx.requestSubscribeMessage result)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields, validate

from handlers import subscriptions
from miniapp_api.auth import BEARER_SECURITY, current_user, services

blp = Blueprint("miniapp_subscriptions", __name__, url_prefix="/miniapp/v1/subscriptions", description="订阅消息授权")


class ConsentSchema(Schema):
    """Either ``{"results": {...}}`` or the ``wx.requestSubscribeMessage`` success result as it comes
    (``{"errMsg": "requestSubscribeMessage:ok", "<template id>": "accept", …}``)."""

    class Meta:
        unknown = INCLUDE

    # marshmallow cannot say "the other keys are template ids": the document says it itself.
    openapi_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "description": "wx.requestSubscribeMessage 的成功结果原样提交，或 {results: {模板编号: 结果}}",
        "properties": {
            "errMsg": {"type": "string", "example": "requestSubscribeMessage:ok", "nullable": True},
            "results": {
                "type": "object",
                "nullable": True,
                "additionalProperties": {"type": "string", "enum": sorted(subscriptions.RESULTS)},
            },
        },
        "additionalProperties": {
            "type": "string",
            "enum": sorted(subscriptions.RESULTS),
            "description": "模板编号 → accept / reject / ban / filter",
        },
    }

    err_msg = fields.String(
        data_key="errMsg",
        load_default=None,
        metadata={"description": "wx.requestSubscribeMessage 原样结果中的 errMsg（requestSubscribeMessage:ok）"},
    )
    results = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.OneOf(sorted(subscriptions.RESULTS))),
        load_default=None,
        metadata={
            "description": "模板编号 → accept / reject / ban / filter；也可省略，直接把原样结果的各模板编号放在顶层"
        },
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
        """上报 wx.requestSubscribeMessage 的结果（可原样提交）；每个 accept 增加一次发送次数"""
        user = current_user()  # who is asking comes before what they sent
        results = subscriptions.consents_reported(body.pop("results"), body.pop("err_msg"), body if body else None)
        return {"quotas": subscriptions.record_consents(services(), user, results)}
