"""Filings (办件) on the enterprise API: the enterprise logged in with its CA certificate acts."""

from __future__ import annotations

from typing import Any

from entryfiling.http.filings.routes import filings_blueprint
from entryfiling.web_api.auth import current_enterprise
from handlers.services import Actor


def _enterprise(**_scope: Any) -> Actor:
    return current_enterprise()


blp = filings_blueprint(
    "filings",
    __name__,
    "/api/v1/filings",
    "进疆信息报送办件：填写、附件、承诺书、提交、撤回、记录与草稿箱、逐项填写",
    _enterprise,
)
