"""The in-app inbox (消息): every notice the user was sent or would have been, pushed or not."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from entryfiling.domain.fields import MAX_ID
from entryfiling.http.links import link, register_links
from entryfiling.http.pagination import PageArgsSchema, page_schema
from handlers import inbox
from miniapp_api.auth import BEARER_SECURITY, current_user, services
from miniapp_api.filings.resources import NAME as FILING_ROUTES

blp = Blueprint(
    "miniapp_notifications",
    __name__,
    url_prefix="/miniapp/v1/notifications",
    description="站内消息：审批结果与到期提醒（微信推送未送达时也在这里）",
)


class NotificationArgsSchema(PageArgsSchema):
    unread = fields.Boolean(load_default=None, metadata={"description": "true 仅未读，false 仅已读"})


class PushSchema(Schema):
    state = fields.String(metadata={"description": "微信推送状态"})
    state_label = fields.String()
    errcode = fields.Integer(allow_none=True, metadata={"description": "微信最后一次返回的错误码"})
    sent_at = fields.DateTime(allow_none=True)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "filing_result 审批结果 / expiry_reminder 到期提醒"})
    title = fields.String()
    body = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    filing_id = fields.Integer(allow_none=True)
    filing_url = link("filing", "该消息所说的办件（小程序）")
    page = fields.String(allow_none=True, metadata={"description": "小程序页面路径"})
    read = fields.Boolean()
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    push = fields.Nested(PushSchema)


_Page = page_schema(NotificationSchema, "NotificationPageBase")


class NotificationPageSchema(_Page):  # type: ignore[misc,valid-type]
    unread = fields.Integer(metadata={"description": "未读消息数"})


class MarkReadSchema(Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "要标记为已读的消息；不填则全部标记为已读"},
    )


class MarkedSchema(Schema):
    marked = fields.Integer()


class TemplatesSchema(Schema):
    filing_result = fields.String(metadata={"description": "审批结果通知的模板编号"})
    expiry_reminder = fields.String(metadata={"description": "到期提醒的模板编号"})


@blp.route("")
class NotificationCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(NotificationArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """我的消息（最新的在前），分页，附未读数"""
        return inbox.list_notifications(services(), current_user(), **args)


@blp.route("/read")
class MarkAllRead(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(MarkReadSchema, required=False)
    @blp.response(200, MarkedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, int]:
        """标记已读：给出的消息，或全部"""
        return inbox.mark_all_read(services(), current_user(), body.get("ids"))


@blp.route("/templates")
class Templates(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, TemplatesSchema)
    def get(self) -> dict[str, str]:
        """wx.requestSubscribeMessage 要请求的模板编号"""
        current_user()
        settings = services().settings
        return {
            "filing_result": settings.wechat_result_template_id,
            "expiry_reminder": settings.wechat_reminder_template_id,
        }


@blp.route("/<int:notification_id>/read")
class MarkRead(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: int) -> Any:
        """标记一条消息为已读"""
        return inbox.mark_read(services(), current_user(), notification_id)


def _filing_link(notice: Any) -> str | None:
    if not (notice.enterprise_id and notice.filing_id):
        return None
    return url_for(f"{FILING_ROUTES}.FilingItem", enterprise_id=notice.enterprise_id, filing_id=notice.filing_id)


register_links(blp.name, filing=_filing_link)
