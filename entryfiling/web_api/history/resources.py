"""The logged-in enterprise's change history: what each approved filing changed in its record."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.http.pagination import PageArgsSchema
from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from entryfiling.web_api.history.schemas import HistoryPageSchema
from handlers import records

blp = Blueprint("history", __name__, url_prefix="/api/v1/enterprise", description="备案信息变更历史")


@blp.route("/history")
class HistoryResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, HistoryPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """备案信息变更历史：每个审批通过的办件改变了什么（变更前后对照），最新的在前，分页"""
        return records.enterprise_history(services(), current_enterprise(), args["page"], args["page_size"])
