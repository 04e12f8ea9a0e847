"""Filings of an enterprise, handled from the phone by its filing contact (报送联系人).

The same routes and use cases as the enterprise API, with the contact's own actor (audited under
their name) acting for the enterprise in the path; only the URLs and links differ.
"""

from __future__ import annotations

from typing import Any

from entryfiling.web_api.filings.routes import filings_blueprint
from handlers.employments import filing_contact_actor
from handlers.services import Actor
from miniapp_api.auth import current_user, services

ENTERPRISE_API_PREFIX = "/api/v1/filings/"


def _contact(enterprise_id: int, **_scope: Any) -> Actor:
    return filing_contact_actor(services(), current_user(), enterprise_id)


def _link(value: Any, prefix: str) -> Any:
    return value.replace(ENTERPRISE_API_PREFIX, prefix, 1) if isinstance(value, str) else value


def _here(view: Any, scope: dict[str, Any]) -> Any:
    """The filing view with its links pointing at these mini-program URLs."""
    prefix = f"/miniapp/v1/enterprises/{scope['enterprise_id']}/filings/"
    if isinstance(view, dict):
        return {
            k: v.replace(ENTERPRISE_API_PREFIX, prefix, 1)
            if isinstance(v, str) and k.endswith("_url")
            else _here(v, scope)
            for k, v in view.items()
        }
    if isinstance(view, list):
        return [_here(v, scope) for v in view]
    return view


blp = filings_blueprint(
    "miniapp_filings",
    __name__,
    "/miniapp/v1/enterprises/<int:enterprise_id>/filings",
    "报送联系人在小程序为企业办理报送：与企业端相同的办件规则",
    _contact,
    _here,
)
