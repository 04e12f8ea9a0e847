"""Step-by-step filing on the phone by filing id: ``/miniapp/v1/filings/{id}/next``, answers, back.

The filing id alone names the draft: the caller must be a filing contact of its enterprise. The
routes are those of every filings layer, so web and phone edit one draft under one ETag.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from entryfiling.web_api.filings.routes import register_guided_routes
from handlers.employments import filing_contact_actor_for_filing
from handlers.services import Actor
from miniapp_api.auth import current_user, services

blp = Blueprint(
    "miniapp_guided",
    __name__,
    url_prefix="/miniapp/v1/filings",
    description="逐项填写：一问一答，可口语化回答；网页端与手机端编辑同一草稿",
)


def _contact_of_filing(filing_id: int, **_scope: Any) -> Actor:
    return filing_contact_actor_for_filing(services(), current_user(), filing_id)


register_guided_routes(blp, _contact_of_filing)
