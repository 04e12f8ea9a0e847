"""办理业务: open a draft of a business, once its declaration and open-stage rules allow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise, Filing
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import NotApplicable
from entryfiling.domain.fields import RecordMode, prefill_sections
from entryfiling.domain.filing import FilingStatus
from entryfiling.domain.policies import check_applicable, resolve_enterprise_type
from entryfiling.domain.rules import ApprovalContext, Stage, run_rules
from handlers.filings.common import add_event, get_business
from handlers.filings.views import FilingView, filing_view
from handlers.records import unseal_record
from handlers.services import Actor, Services


@dataclass(frozen=True)
class Opened:
    filing: FilingView
    created: bool


def record_facts(services: Services, actor: Actor, enterprise: Enterprise) -> dict[str, Any]:
    """What change rules compare with: the record as filed, the publicity and the certificate's name."""
    return {
        "filed_record": unseal_record(services, enterprise.filed_record),
        "publicity_until": enterprise.publicity_until,
        "publicity_extension_window_days": services.settings.publicity_extension_window_days,
        "certificate_name": actor.certificate_name,
    }


def login_facts(actor: Actor) -> dict[str, Any]:
    """What the login certificate says about the enterprise, for fields that declare ``prefill``."""
    return {"certificate_name": actor.certificate_name, "certificate_uscc": actor.certificate_uscc}


def check_openable(services: Services, actor: Actor, business: Business, enterprise: Enterprise) -> None:
    """The business's rules of stage "open" (e.g. the publicity extension window) allow starting it now."""
    context = ApprovalContext(
        business=business,
        enterprise_id=enterprise.id,
        enterprise_uscc=enterprise.uscc,
        certificate_uscc=actor.certificate_uscc,
        sections={},
        attachment_counts={},
        persons={},
        today=services.today(),
        **record_facts(services, actor, enterprise),
    )
    reasons = [reason for r in run_rules(business, context, Stage.OPEN) if not r.passed for reason in r.reasons]
    if reasons:
        raise NotApplicable(
            msg.BUSINESS_NOT_OPENABLE.format(business=business.label, reasons="；".join(reasons)),
            errors={"business": reasons},
        )


def open_filing(services: Services, actor: Actor, business_key: str, enterprise_type: str | None = None) -> Opened:
    """Open a draft; while one of the same business is open, that one is returned instead."""
    business = get_business(business_key)
    now = services.now()
    with services.uow() as uow:
        enterprise = uow.filings.enterprise(actor.enterprise_id)
        resolved_type = resolve_enterprise_type(enterprise.enterprise_type, enterprise_type)
        check_applicable(business, resolved_type, filed=enterprise.filed_at is not None)
        existing = uow.filings.open_one(enterprise.id, business.key)
        if existing is not None:
            return Opened(filing_view(services, uow.session, existing), created=False)
        check_openable(services, actor, business, enterprise)
        # Change businesses start from what is on record; the first filing starts empty, and an
        # appending section (one project per filing) always starts empty.
        prefilled = {
            s.key: enterprise.filed_record[s.record_key]
            for s in business.sections
            if s.record_key and s.record_mode is RecordMode.REPLACE and s.record_key in enterprise.filed_record
        }
        prefilled = prefill_sections(business.sections, prefilled, login_facts(actor))
        filing = Filing(
            enterprise_id=enterprise.id,
            business=business.key,
            enterprise_type=resolved_type,
            status=FilingStatus.DRAFT,
            sections=prefilled,
            created_by=actor.as_dict(),
            created_at=now,
            updated_at=now,
        )
        add_event(filing, actor, None, FilingStatus.DRAFT, now)
        uow.filings.add(filing)
        uow.audit(actor, "filing_opened", f"filing:{filing.id}", now, {"business": business.key})
        uow.commit()
        return Opened(filing_view(services, uow.session, filing), created=True)
