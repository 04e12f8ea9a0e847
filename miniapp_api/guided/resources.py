"""Step-by-step filing on the phone by filing id: ``/miniapp/v1/filings/{id}/next``, answers, back.

The filing id alone names the draft: the caller must be a filing contact of its enterprise. The
routes are those of every filings layer, so web and phone edit one draft under one ETag; the
letter and submit links point at the enterprise-scoped filing routes of the mini-program.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from entryfiling.http.filings.routes import register_filing_links, register_guided_routes
from handlers.employments import filing_contact_actor_for_filing
from handlers.services import Actor
from miniapp_api.auth import current_user, services
from miniapp_api.filings.resources import NAME as FILING_ROUTES
from miniapp_api.filings.resources import enterprise_scope

blp = Blueprint(
    "miniapp_guided",
    __name__,
    url_prefix="/miniapp/v1/filings",
    description="逐项填写：一问一答，可口语化回答；网页端与手机端编辑同一草稿",
)


def _contact_of_filing(filing_id: int, **_scope: Any) -> Actor:
    return filing_contact_actor_for_filing(services(), current_user(), filing_id)


register_guided_routes(blp, _contact_of_filing)
register_filing_links(blp.name, FILING_ROUTES, enterprise_scope)
