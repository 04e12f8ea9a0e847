"""The public register (公示): filed enterprises, searchable by anyone without logging in."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.http.caching import cache_key, cached_public, encoded
from entryfiling.web_api.auth import client_address, services
from entryfiling.web_api.public.schemas import (
    PublicEnterprisePageSchema,
    PublicEnterpriseSchema,
    RegisterQuerySchema,
)
from handlers import register
from handlers.auth import check_rate_limit

# Built once: a schema instance is reusable and costs a field-by-field build.
PAGE_SCHEMA = PublicEnterprisePageSchema()
ENTRY_SCHEMA = PublicEnterpriseSchema()

blp = Blueprint(
    "public",
    __name__,
    url_prefix="/api/v1/public",
    description="公示：已备案进疆企业的公开信息（无需登录；人员仅显示姓名）",
)


def _limit() -> None:
    """Anyone may query the register, so per-address limits keep scrapers from crowding out people."""
    svc = services()
    check_rate_limit(svc, f"public:{client_address()}", svc.settings.public_queries_per_minute, read_path=True)


@blp.route("/enterprises")
class PublicEnterpriseCollection(MethodView):
    @blp.arguments(RegisterQuerySchema, location="query")
    @blp.response(200, PublicEnterprisePageSchema)
    def get(self, args: dict[str, Any]) -> Response:
        """按企业名称、统一社会信用代码、企业类型、资质查询已备案企业；公示已过期的企业标为已过期"""
        _limit()
        svc = services()
        return cached_public(
            svc,
            cache_key("register:search", args, svc.today()),
            lambda: encoded(PAGE_SCHEMA, register.search_register(svc, **args)),
        )


@blp.route("/enterprises/<string:uscc>")
class PublicEnterpriseItem(MethodView):
    @blp.response(200, PublicEnterpriseSchema)
    def get(self, uscc: str) -> Response:
        """按统一社会信用代码查看一家企业的公示信息"""
        _limit()
        svc = services()
        return cached_public(
            svc,
            cache_key("register:enterprise", {"uscc": uscc.strip().upper()}, svc.today()),
            lambda: encoded(ENTRY_SCHEMA, register.public_enterprise(svc, uscc)),
        )
