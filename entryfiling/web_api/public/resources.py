"""The public register (公示): filed enterprises, searchable by anyone without logging in."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.web_api.auth import client_address, services
from entryfiling.web_api.public.schemas import (
    PublicEnterprisePageSchema,
    PublicEnterpriseSchema,
    RegisterQuerySchema,
)
from handlers import register
from handlers.auth import check_rate_limit

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/api/v1/public",
    description="公示：已备案进疆企业的公开信息（无需登录；人员仅显示姓名）",
)


def _limit() -> None:
    """Anyone may query the register, so per-address limits keep scrapers from crowding out people."""
    svc = services()
    check_rate_limit(svc, f"public:{client_address()}", svc.settings.public_queries_per_minute)


@blp.route("/enterprises")
class PublicEnterpriseCollection(MethodView):
    @blp.arguments(RegisterQuerySchema, location="query")
    @blp.response(200, PublicEnterprisePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """按企业名称、统一社会信用代码、企业类型、资质查询已备案企业；公示已过期的企业标为已过期"""
        _limit()
        return register.search_register(services(), **args)


@blp.route("/enterprises/<string:uscc>")
class PublicEnterpriseItem(MethodView):
    @blp.response(200, PublicEnterpriseSchema)
    def get(self, uscc: str) -> dict[str, Any]:
        """按统一社会信用代码查看一家企业的公示信息"""
        _limit()
        return register.public_enterprise(services(), uscc)
