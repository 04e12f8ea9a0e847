"""The person's side of an employment: ending it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers import employments
from miniapp_api.auth import BEARER_SECURITY, current_user, services
from miniapp_api.invitations.schemas import EmploymentSchema

blp = Blueprint("miniapp_employments", __name__, url_prefix="/miniapp/v1/employments", description="聘用关系")


@blp.route("/<int:employment_id>/end")
class EndResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, EmploymentSchema)
    def post(self, employment_id: int) -> dict[str, Any]:
        """解除本人的聘用关系（历史记录保留）"""
        return employments.end_employment_as_person(services(), current_user(), employment_id)
