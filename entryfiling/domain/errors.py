"""One exception hierarchy for every refusal the system gives.

The domain and the use cases raise these; the web layer maps each class once to an HTTP status
and an ``application/problem+json`` body. ``message`` is the Chinese text a user reads.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a user can understand and act on."""

    code = "domain_error"

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.extra = extra


class ValidationFailed(DomainError):
    """Input values are malformed; ``errors`` maps field paths to messages."""

    code = "validation_failed"

    @classmethod
    def on(cls, field: str, message: str, **extra: Any) -> ValidationFailed:
        """One field is wrong: the message is both the detail and that field's error."""
        return cls(message, errors={field: message}, **extra)


class AuthenticationFailed(DomainError):
    code = "authentication_failed"


class PermissionDenied(DomainError):
    code = "permission_denied"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (wrong status, duplicate, …)."""

    code = "conflict"


class NotApplicable(DomainError):
    """The business does not apply to this enterprise (type, filing state…)."""

    code = "not_applicable"


class PreconditionFailed(DomainError):
    """A stale ``If-Match``: somebody else changed the draft first."""

    code = "precondition_failed"


class PreconditionRequired(DomainError):
    code = "precondition_required"


class SubmissionRefused(DomainError):
    """Submission blocked before approval; ``errors`` lists every problem."""

    code = "submission_refused"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class RateLimited(DomainError):
    code = "rate_limited"


class ExternalServiceError(DomainError):
    """An outside system (WeChat, registry) failed or refused; not the user's fault."""

    code = "external_service_error"


class ServiceUnavailable(ExternalServiceError):
    """Something we depend on is down or busy for now (Redis, the database, WeChat answering
    "system busy"): not the user's fault; try again after ``retry_after`` seconds."""

    code = "service_unavailable"
