"""Regulator review (主管部门审核): accounts, login, the manual-review queue, and decisions.

Login is username + password, hashed with werkzeug.security (scrypt, a salt per hash; werkzeug
ships with Flask and is maintained with it), so no second CA has to be run for a handful of
reviewers. Accounts are made by ``entryfiling regulators create``; there is no self-service.
Tokens are signed like the other logins but with their own salt, and name the account, which is
looked up on every request: a deactivated account or a changed password ends its tokens.

A regulator reads filings and decides the ones in ``manual_review``; there is no route by which
they change a filing's content. Their decision goes through the same ``record_decision`` as the
automatic one, so effects on the record, history, register, audit and the push follow alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise, Filing, Regulator
from entryfiling.domain.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied, ValidationFailed
from entryfiling.domain.fields import person_ids
from entryfiling.domain.filing import STATUS_LABELS, FilingStatus
from entryfiling.domain.review import APPROVE, REJECT, reason_problem
from entryfiling.domain.rules import RULES, ApprovalContext, evaluate
from entryfiling.domain.rules import Outcome as RuleOutcome
from handlers import lockout, tokens
from handlers.filings.attachments import AttachmentFile, attachment_file
from handlers.filings.common import attachment_counts, business_of, check_if_match, commit_or_stale, unseal_sections
from handlers.filings.decisions import Outcome, record_decision, result_record
from handlers.filings.views import FilingSummary, FilingView, filing_summary, filing_view
from handlers.pages import Page
from handlers.persons import person_facts
from handlers.records import unseal_record
from handlers.services import Actor, Services
from handlers.verification import verification_facts

USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{3,64}")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# Checked when the username is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


# ---------------------------------------------------------------------------- accounts


def _check_password(password: str) -> None:
    if (
        len(password) < MIN_PASSWORD_LENGTH
        or len(password) > MAX_PASSWORD_LENGTH
        or not re.search(r"[A-Za-z]", password)
        or not re.search(r"\d", password)
    ):
        text = msg.REGULATOR_PASSWORD_WEAK.format(length=MIN_PASSWORD_LENGTH)
        raise ValidationFailed(text, errors={"password": text})


def create_regulator(services: Services, username: str, name: str, password: str) -> dict[str, Any]:
    errors = {}
    if not USERNAME_RE.fullmatch(username):
        errors["username"] = msg.REGULATOR_USERNAME_INVALID
    if not 1 <= len(name.strip()) <= 50:
        errors["name"] = msg.REGULATOR_NAME_INVALID
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    _check_password(password)
    now = services.now()
    with services.uow() as uow:
        regulator = Regulator(
            username=username,
            name=name.strip(),
            password_hash=generate_password_hash(password),
            active=True,
            tokens_valid_after=now,
            created_at=now,
        )
        uow.session.add(regulator)
        try:
            uow.session.flush()
        except IntegrityError:
            uow.rollback()
            text = msg.REGULATOR_USERNAME_TAKEN.format(username=username)
            raise Conflict(text, errors={"username": text}) from None
        uow.audit(_actor(regulator), "regulator_created", f"regulator:{regulator.id}", now)
        uow.commit()
        return {"id": regulator.id, "username": regulator.username, "name": regulator.name}


def _account(session: Session, username: str) -> Regulator:
    regulator = session.scalar(select(Regulator).where(Regulator.username == username))
    if regulator is None:
        raise NotFound(msg.REGULATOR_NOT_FOUND.format(username=username))
    return regulator


def set_password(services: Services, username: str, password: str) -> None:
    """A new password; tokens issued before it stop working."""
    _check_password(password)
    now = services.now()
    with services.uow() as uow:
        regulator = _account(uow.session, username)
        regulator.password_hash = generate_password_hash(password)
        regulator.tokens_valid_after = now
        uow.audit(_actor(regulator), "regulator_password_set", f"regulator:{regulator.id}", now)
        uow.commit()


def set_active(services: Services, username: str, active: bool) -> None:
    now = services.now()
    with services.uow() as uow:
        regulator = _account(uow.session, username)
        regulator.active = active
        regulator.tokens_valid_after = now
        action = "regulator_activated" if active else "regulator_deactivated"
        uow.audit(_actor(regulator), action, f"regulator:{regulator.id}", now)
        uow.commit()


def _actor(regulator: Regulator) -> Actor:
    return Actor("regulator", f"regulator:{regulator.id}", regulator.name)


# ---------------------------------------------------------------------------- login


@dataclass(frozen=True)
class RegulatorLogin:
    token: str
    expires_in: int
    regulator: dict[str, Any]


def login(services: Services, username: str, password: str, client: str) -> RegulatorLogin:
    attempt = lockout.LoginAttempt("regulator_login", "regulator", username.strip().lower()[:64], client)
    with lockout.guarded(services, attempt):
        return _login(services, username, password)


def _login(services: Services, username: str, password: str) -> RegulatorLogin:
    now = services.now()
    with services.uow() as uow:
        regulator = uow.session.scalar(select(Regulator).where(Regulator.username == username))
        valid = check_password_hash(regulator.password_hash if regulator else _DUMMY_HASH, password)
        if regulator is None or not valid:
            raise AuthenticationFailed(msg.REVIEW_LOGIN_FAILED)
        if not regulator.active:
            raise AuthenticationFailed(msg.REVIEW_ACCOUNT_DISABLED)
        regulator.last_login_at = now
        uow.audit(_actor(regulator), "regulator_login", f"regulator:{regulator.id}", now)
        uow.commit()
        token = tokens.issue(
            services, tokens.REGULATOR, {"rid": regulator.id, "iat": now.timestamp()}, subject=str(regulator.id)
        )
        return RegulatorLogin(
            token,
            services.settings.token_ttl_seconds,
            {"id": regulator.id, "username": regulator.username, "name": regulator.name},
        )


def authenticate(services: Services, token: str) -> Actor:
    """The regulator of a token; an enterprise's or a mini-program user's token is refused (403)."""
    try:
        payload = tokens.read(services, tokens.REGULATOR, token)
    except AuthenticationFailed as refused:
        if any(tokens.signed_for(services, audience, token) for audience in (tokens.ENTERPRISE, tokens.MINIAPP)):
            raise PermissionDenied(msg.REVIEW_ONLY_REGULATORS) from None
        if refused.message != msg.AUTH_TOKEN_INVALID:
            raise
        raise AuthenticationFailed(msg.REVIEW_AUTH_REQUIRED, hint=msg.BEARER_HINT) from None
    with services.uow() as uow:
        regulator = uow.session.get(Regulator, int(payload.get("rid") or 0))
        if regulator is None or not regulator.active:
            raise AuthenticationFailed(msg.REVIEW_ACCOUNT_DISABLED)
        if float(payload.get("iat") or 0) < regulator.tokens_valid_after.timestamp():
            raise AuthenticationFailed(msg.AUTH_TOKEN_EXPIRED)
        return _actor(regulator)


# ---------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class EnterpriseRef:
    id: int
    name: str
    uscc: str


def _enterprise_ref(enterprise: Enterprise) -> EnterpriseRef:
    return EnterpriseRef(enterprise.id, enterprise.name, enterprise.uscc)


@dataclass(frozen=True)
class QueuedFiling(FilingSummary):
    enterprise: EnterpriseRef
    submitted_by: str | None


@dataclass(frozen=True)
class ReviewedFiling(FilingView):
    """A filing as a regulator sees it: whose it is and who submitted it."""

    enterprise: EnterpriseRef | None = None
    submitted_by: str | None = None


def _fields_of(view: Any) -> dict[str, Any]:
    return {f.name: getattr(view, f.name) for f in fields(view)}


def review_queue(services: Services, actor: Actor, page: int = 1, page_size: int = 20) -> Page[QueuedFiling]:
    """Filings waiting for a person, the longest-waiting first."""
    query = select(Filing).where(Filing.status == FilingStatus.MANUAL_REVIEW)
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.execute(
            select(Filing, Enterprise)
            .join(Enterprise, Enterprise.id == Filing.enterprise_id)
            .where(Filing.status == FilingStatus.MANUAL_REVIEW)
            .order_by(Filing.submitted_at, Filing.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        items = [
            QueuedFiling(
                **_fields_of(filing_summary(filing)),
                enterprise=_enterprise_ref(enterprise),
                submitted_by=(filing.submitted_by or {}).get("name"),
            )
            for filing, enterprise in rows
        ]
        return Page(items, total, page, page_size)


def _review_view(services: Services, session: Any, filing: Filing, *, flush: bool = False) -> ReviewedFiling:
    view = filing_view(services, session, filing, flush=flush)
    enterprise = session.get_one(Enterprise, filing.enterprise_id)
    return ReviewedFiling(
        **_fields_of(view), enterprise=_enterprise_ref(enterprise), submitted_by=(filing.submitted_by or {}).get("name")
    )


def get_filing(services: Services, actor: Actor, filing_id: int) -> ReviewedFiling:
    """The filing with its sections, attachments (downloadable here) and rule results.

    Checks that could not run at submission (the registry was unreachable) are run again now, so the
    regulator judges with what the registry says today.
    """
    with services.uow() as uow:
        filing = uow.filings.submitted(filing_id)
        if filing.status == FilingStatus.MANUAL_REVIEW and _recheck_not_checked(services, uow.session, filing):
            uow.audit(actor, "rules_rechecked", f"filing:{filing.id}", services.now())
            view = _review_view(services, uow.session, filing, flush=True)
            commit_or_stale(uow)
            return view
        return _review_view(services, uow.session, filing)


def _recheck_not_checked(services: Services, session: Session, filing: Filing) -> bool:
    """Re-run the rules whose stored outcome is "not checked"; True when any result was replaced."""
    stored = list(filing.rule_results or [])
    pending = [i for i, r in enumerate(stored) if r.get("outcome") == RuleOutcome.NOT_CHECKED.value]
    if not pending:
        return False
    business = business_of(filing)
    enterprise = session.get_one(Enterprise, filing.enterprise_id)
    sections = unseal_sections(services, business, filing.sections)
    chosen = [pid for s in business.sections for _p, _f, pid in person_ids(s, sections.get(s.key, {}))]
    context = ApprovalContext(
        business=business,
        enterprise_id=enterprise.id,
        enterprise_uscc=enterprise.uscc,
        certificate_uscc=None,
        sections=sections,
        attachment_counts=attachment_counts(filing),
        persons=person_facts(session, chosen),
        today=services.today(),
        filed_record=unseal_record(services, enterprise.filed_record),
        **verification_facts(services, session, business, enterprise, filing.enterprise_type, sections),
    )
    for index in pending:
        rule = RULES.get(str(stored[index].get("rule")))
        if rule is not None:
            stored[index] = result_record(evaluate(rule, context))
    filing.rule_results = stored
    filing.reasons = [reason for r in stored if not r.get("passed") for reason in r.get("reasons", [])]
    return True


def open_attachment(services: Services, actor: Actor, filing_id: int, attachment_id: str) -> AttachmentFile:
    with services.uow() as uow:
        return attachment_file(services, uow.filings.submitted(filing_id), attachment_id)


def decide(
    services: Services, actor: Actor, filing_id: int, decision: str, reason: str, if_match: str | None = None
) -> ReviewedFiling:
    """Approve or reject a filing in manual review, with the reviewer's reason."""
    reason = (reason or "").strip()
    errors = {}
    if decision not in (APPROVE, REJECT):
        errors["decision"] = msg.REVIEW_DECISION_UNKNOWN
    reason_refused = reason_problem(decision, reason)
    if reason_refused:
        errors["reason"] = reason_refused
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors=errors)
    now = services.now()
    with services.uow() as uow:
        filing = uow.filings.submitted(filing_id, for_update=True)
        if if_match:
            check_if_match(filing, if_match)
        if filing.status != FilingStatus.MANUAL_REVIEW:
            raise Conflict(msg.REVIEW_NOT_IN_QUEUE.format(status=STATUS_LABELS[FilingStatus(filing.status)]))
        business = business_of(filing)
        # Approval rewrites the enterprise's filed record: serialise with its other approvals.
        enterprise = uow.filings.enterprise(filing.enterprise_id, for_update=True)
        approved = decision == APPROVE
        status = FilingStatus.APPROVED if approved else FilingStatus.REJECTED
        reasons = [] if approved else [msg.REVIEW_REJECTED_REASON.format(reason=reason)]
        note = [msg.REVIEW_APPROVED_NOTE.format(reason=reason)] if approved else reasons
        results = [
            *(filing.rule_results or []),
            {
                "rule": "regulator_review",
                "description": msg.REVIEW_RULE_DESCRIPTION,
                "passed": approved,
                "reasons": [reason],
                "on_failure": "reject",
                "reviewer": actor.name,
            },
        ]
        outcome = Outcome(status, reasons, results, note)
        record_decision(services, uow, filing, business, enterprise, outcome, actor, now)
        view = _review_view(services, uow.session, filing, flush=True)
        commit_or_stale(uow)
        return view
