"""Our bearer tokens: signed, expiring, one audience (salt) per kind of caller.

An enterprise token cannot be replayed on the mini-program API and the other way round, because
each audience signs with its own salt.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed
from handlers.services import Services

ENTERPRISE = "enterprise-login"
MINIAPP = "miniapp-login"
REGULATOR = "regulator-login"


def issue(services: Services, audience: str, payload: dict[str, Any]) -> str:
    return URLSafeTimedSerializer(services.settings.secret_key, salt=audience).dumps(payload)


def read(services: Services, audience: str, token: str) -> dict[str, Any]:
    """The payload of a valid token of this audience; expired or forged tokens are refused."""
    serializer = URLSafeTimedSerializer(services.settings.secret_key, salt=audience)
    try:
        payload = serializer.loads(token, max_age=services.settings.token_ttl_seconds)
    except SignatureExpired:
        raise AuthenticationFailed(msg.AUTH_TOKEN_EXPIRED) from None
    except BadSignature:
        raise AuthenticationFailed(msg.AUTH_TOKEN_INVALID) from None
    if not isinstance(payload, dict):
        raise AuthenticationFailed(msg.AUTH_TOKEN_INVALID)
    return payload
