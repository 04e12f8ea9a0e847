"""Filings of an enterprise, handled from the phone by its filing contact (报送联系人).

The same routes and use cases as the enterprise API, with the contact's own actor (audited under
their name) acting for the enterprise in the path; the answers link to these mini-program routes.
"""

from __future__ import annotations

from typing import Any

from entryfiling.http.filings.routes import filings_blueprint
from handlers.employments import filing_contact_actor
from handlers.services import Actor
from miniapp_api.auth import current_user, services

NAME = "miniapp_filings"


def _contact(enterprise_id: int, **_scope: Any) -> Actor:
    return filing_contact_actor(services(), current_user(), enterprise_id)


def enterprise_scope(model: Any) -> dict[str, Any]:
    """The URL prefix of a read model's enterprise (its filings live under it)."""
    return {"enterprise_id": model.enterprise_id}


blp = filings_blueprint(
    NAME,
    __name__,
    "/miniapp/v1/enterprises/<int:enterprise_id>/filings",
    "报送联系人在小程序为企业办理报送：与企业端相同的办件规则",
    _contact,
    enterprise_scope,
)
