"""Step-by-step filing on the phone: the next item, one answer at a time, back.

The filing id alone names the draft: the caller must be a filing contact of its enterprise.
The use cases are those of the web's guided endpoints, so web and phone edit one draft.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.web_api.filings.schemas import AnswerSchema, BackSchema, GuidedStepSchema
from handlers import guided
from handlers.employments import filing_contact_actor_for_filing
from handlers.services import Actor
from miniapp_api.auth import BEARER_SECURITY, current_user, services

blp = Blueprint(
    "miniapp_guided",
    __name__,
    url_prefix="/miniapp/v1/filings",
    description="逐项填写：一问一答，可口语化回答；网页端与手机端编辑同一草稿",
)


def _actor(filing_id: int) -> Actor:
    return filing_contact_actor_for_filing(services(), current_user(), filing_id)


def _answer(view: dict[str, Any]) -> ResponseReturnValue:
    return view, 200, {"ETag": view["etag"]}


@blp.route("/<int:filing_id>/next")
class NextStep(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, GuidedStepSchema)
    def get(self, filing_id: int) -> ResponseReturnValue:
        """下一项还缺什么：栏目、字段、提示、类型、可选项或可选人员、进度；全部完成时说明如何提交"""
        return _answer(guided.next_step(services(), _actor(filing_id), filing_id))


@blp.route("/<int:filing_id>/answers")
class Answer(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(AnswerSchema)
    @blp.response(200, GuidedStepSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """回答一项（If-Match 带上一步返回的 ETag）；答错时返回原因与同一问题"""
        view = guided.answer(
            services(), _actor(filing_id), filing_id, body["field"], body["value"], request.headers.get("If-Match")
        )
        return _answer(view)


@blp.route("/<int:filing_id>/back")
class Back(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(BackSchema)
    @blp.response(200, GuidedStepSchema)
    def post(self, body: dict[str, Any], filing_id: int) -> ResponseReturnValue:
        """回到上一项（可改任何已答项）"""
        return _answer(guided.back(services(), _actor(filing_id), filing_id, body["from_"]))
