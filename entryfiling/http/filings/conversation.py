"""Filing by conversation, for every HTTP layer that offers the step-by-step routes (web and phone)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from entryfiling.http.auth import BEARER_SECURITY, services
from entryfiling.http.filings.schemas import GuidedProgressSchema
from handlers import conversation

MAX_MESSAGE_LENGTH = 2000


class MessageSchema(Schema):
    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_MESSAGE_LENGTH),
        metadata={"description": "用户说的话，如“注册资本5000万元，2003年6月1日成立，法人李德拓”"},
    )


class RecordedSchema(Schema):
    path = fields.String()
    label = fields.String()
    value = fields.String(metadata={"description": "记录下的值，按字段单位表述（如“5,000 万元”）"})
    corrected = fields.Boolean(metadata={"description": "是否更正了原有的值"})


class RefusedSchema(Schema):
    label = fields.String()
    reason = fields.String()


class QuestionOptionSchema(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class QuestionSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["field", "optional", "more_rows", "confirm", "attachment", "review", "ready"]),
    )
    text = fields.String(required=True, metadata={"description": "问题（给用户看）"})
    quick_replies = fields.List(fields.String(), required=True, metadata={"description": "快捷回复按钮"})
    path = fields.String(metadata={"description": "所问字段的路径，如 basic_info.registered_capital"})
    label = fields.String()
    type = fields.String(metadata={"description": "所问字段的类型"})
    unit = fields.String()
    options = fields.List(fields.Nested(QuestionOptionSchema))
    attachment = fields.String(metadata={"description": "请上传的附件类型"})


class ConversationDecisionSchema(Schema):
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)


class ConversationReplySchema(Schema):
    filing_id = fields.Integer()
    etag = fields.String()
    status = fields.String(
        metadata={
            "description": "下一问的类型：confirm 确认预填信息、field 必填项、optional 可跳过项、"
            "more_rows 是否还有下一行、attachment 请上传附件、review 请核对、ready 可以提交；submitted 已提交"
        }
    )
    reply = fields.String(metadata={"description": "给用户看的回复：记录了什么、哪些没有记录及原因、下一问"})
    question = fields.Nested(QuestionSchema, metadata={"description": "下一问"})
    progress = fields.Nested(GuidedProgressSchema)
    recorded = fields.List(fields.Nested(RecordedSchema))
    refused = fields.List(fields.Nested(RefusedSchema))
    not_understood = fields.List(fields.String())
    decision = fields.Nested(ConversationDecisionSchema, allow_none=True, metadata={"description": "提交后的审批结果"})


def register_conversation_routes(blp: Blueprint, actor_of: Any) -> None:
    """``GET`` the current question, ``POST`` a message; the same use case on every layer."""

    def answer(reply: conversation.Reply) -> ResponseReturnValue:
        return asdict(reply), 200, {"ETag": reply.etag}

    @blp.route("/<int:filing_id>/messages")
    class Messages(MethodView):
        @blp.doc(security=BEARER_SECURITY)
        @blp.response(200, ConversationReplySchema)
        def get(self, filing_id: int, **scope: Any) -> ResponseReturnValue:
            """对话填写：现在要问的问题（打开对话时调用）"""
            actor = actor_of(filing_id=filing_id, **scope)
            return answer(conversation.current_question(services(), actor, filing_id))

        @blp.doc(security=BEARER_SECURITY)
        @blp.arguments(MessageSchema)
        @blp.response(200, ConversationReplySchema)
        def post(self, body: dict[str, Any], filing_id: int, **scope: Any) -> ResponseReturnValue:
            """对话填写：说一句话，识别其中所有能识别的字段并保存，说明识别了什么、没识别什么，再问下一项；
            “把注册资本改成6000万”更正，“还有一项资质”添加一行，“同意承诺并提交”提交。If-Match 可选"""
            actor = actor_of(filing_id=filing_id, **scope)
            reply = conversation.post_message(
                services(), actor, filing_id, body["text"], request.headers.get("If-Match")
            )
            return answer(reply)
