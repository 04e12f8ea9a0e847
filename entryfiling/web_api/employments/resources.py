"""The enterprise's employments (聘用关系), current and ended, and ending one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.web_api.auth import BEARER_SECURITY, current_enterprise, services
from entryfiling.web_api.invitations.schemas import EmploymentArgsSchema, EmploymentPageSchema, EmploymentSchema
from handlers import employments

blp = Blueprint("employments", __name__, url_prefix="/api/v1/employments", description="聘用关系与历史")


@blp.route("")
class EmploymentCollection(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.arguments(EmploymentArgsSchema, location="query")
    @blp.response(200, EmploymentPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """本企业的聘用关系（含已解除的历史），分页"""
        return employments.list_employments(
            services(), current_enterprise(), args["current"], args["page"], args["page_size"]
        )


@blp.route("/<int:employment_id>/end")
class EndEmployment(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(200, EmploymentSchema)
    def post(self, employment_id: int) -> dict[str, Any]:
        """解除聘用关系：此后该人员不能再被本企业的办件选择"""
        return employments.end_employment_as_enterprise(services(), current_enterprise(), employment_id)
