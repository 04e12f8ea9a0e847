"""Enterprise login with the CA certificate: challenge, signed-nonce login, bearer tokens.

Nonces live in the database and rate-limit counters in Redis or the database, so that any process can
serve any step.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from entryfiling import messages as msg
from entryfiling.db.models import AuthChallenge
from entryfiling.domain.errors import AuthenticationFailed, RateLimited
from entryfiling.integrations.ca import claimed_uscc, verify_signed_nonce
from handlers import lockout, tokens
from handlers.enterprises import upsert_enterprise
from handlers.services import Actor, Services


@dataclass(frozen=True)
class Challenge:
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_in: int
    enterprise_id: int
    enterprise_name: str
    uscc: str
    first_login: bool


def check_rate_limit(
    services: Services, key: str, limit: int, window_seconds: int = 60, *, read_path: bool = False
) -> None:
    """A fixed-window limit per key; ``read_path`` callers must not be turned into writes by it."""
    retry_after = services.rate_counter(read_path=read_path).hit(key, limit, window_seconds)
    if retry_after is not None:
        raise RateLimited(msg.RATE_LIMITED.format(seconds=retry_after), retry_after=retry_after)


def issue_challenge(services: Services) -> Challenge:
    now = services.now()
    challenge = AuthChallenge(
        nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(seconds=services.settings.challenge_ttl_seconds),
    )
    with services.uow() as uow:
        uow.session.add(challenge)
        uow.commit()
    return Challenge(challenge.nonce, challenge.expires_at)


def _consume_nonce(services: Services, nonce: str) -> None:
    """Mark the nonce used in its own transaction, so a replay fails even mid-verification."""
    now = services.now()
    with services.uow() as uow:
        result = uow.session.execute(
            update(AuthChallenge)
            .where(AuthChallenge.nonce == nonce, AuthChallenge.used_at.is_(None), AuthChallenge.expires_at > now)
            .values(used_at=now)
        )
        uow.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AuthenticationFailed(msg.CHALLENGE_INVALID)


def login(services: Services, certificate_pem: str, nonce: str, signature: str, source: str) -> LoginResult:
    """Verify the signed nonce; failures count against the certificate's claimed USCC and the source."""
    attempt = lockout.LoginAttempt("login", "enterprise", claimed_uscc(certificate_pem), source)
    with lockout.guarded(services, attempt):
        return _login(services, certificate_pem, nonce, signature)


def _login(services: Services, certificate_pem: str, nonce: str, signature: str) -> LoginResult:
    _consume_nonce(services, nonce)
    now = services.now()
    identity = verify_signed_nonce(certificate_pem, nonce, signature, services.trust_roots(), now)
    with services.uow() as uow:
        enterprise, first_login = upsert_enterprise(uow.session, identity.uscc, identity.enterprise_name, now)
        enterprise.certificate_serial = identity.serial_number
        actor = Actor(
            "enterprise",
            identity.uscc,
            identity.enterprise_name,
            enterprise.id,
            identity.uscc,
            identity.enterprise_name,
        )
        uow.audit(
            actor,
            "login",
            f"enterprise:{enterprise.id}",
            now,
            {"certificate_serial": identity.serial_number, "fingerprint": identity.fingerprint_sha256},
        )
        uow.commit()
        token = tokens.issue(
            services,
            tokens.ENTERPRISE,
            {
                "eid": enterprise.id,
                "uscc": identity.uscc,
                "name": identity.enterprise_name,
                "cert": identity.serial_number,
            },
            subject=str(enterprise.id),
        )
        return LoginResult(
            token, services.settings.token_ttl_seconds, enterprise.id, enterprise.name, enterprise.uscc, first_login
        )


def authenticate_enterprise(services: Services, token: str) -> Actor:
    """The acting enterprise of a bearer token; tokens expire after TOKEN_TTL_SECONDS."""
    payload, versions = tokens.read_with_versions(services, tokens.ENTERPRISE, token)
    return Actor(
        "enterprise", payload["uscc"], payload["name"], int(payload["eid"]), payload["uscc"], payload["name"], versions
    )
