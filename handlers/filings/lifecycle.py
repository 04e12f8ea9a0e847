"""A filing's life outside editing: withdraw (撤回), copy a rejected one, discard a draft."""

from __future__ import annotations

from uuid import uuid4

from entryfiling import messages as msg
from entryfiling.db.models import Attachment, Filing
from entryfiling.domain.businesses import EnterpriseType
from entryfiling.domain.errors import Conflict
from entryfiling.domain.filing import COPYABLE_STATUSES, DECIDED_STATUSES, STATUS_LABELS, FilingStatus
from entryfiling.domain.policies import check_applicable
from handlers.filings.common import add_event, check_if_match, commit_or_stale, get_business, load_filing, move
from handlers.filings.opening import check_openable
from handlers.filings.views import FilingView, filing_view, reference_of
from handlers.services import Actor, Services
from handlers.stored_files import release_file


def discard_draft(services: Services, actor: Actor, filing_id: int) -> None:
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow, actor, filing_id)
        if filing.status != FilingStatus.DRAFT:
            raise Conflict(msg.ONLY_DRAFT_DELETABLE)
        keys = [a.storage_key for a in filing.attachments]
        uow.audit(actor, "draft_discarded", f"filing:{filing.id}", now, {"business": filing.business})
        uow.session.delete(filing)
        uow.commit()
    for key in keys:
        release_file(services, key)


def withdraw_filing(services: Services, actor: Actor, filing_id: int, if_match: str | None = None) -> FilingView:
    """撤回: take back a submitted filing before its decision; it stays in the records as withdrawn."""
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow, actor, filing_id)
        if if_match:
            check_if_match(filing, if_match)
        if filing.status == FilingStatus.DRAFT:
            raise Conflict(msg.WITHDRAW_DRAFT)
        if filing.status in DECIDED_STATUSES:
            raise Conflict(msg.WITHDRAW_DECIDED.format(status=STATUS_LABELS[FilingStatus(filing.status)]))
        move(filing, actor, FilingStatus.WITHDRAWN, now)
        uow.audit(actor, "filing_withdrawn", f"filing:{filing.id}", now, {"business": filing.business})
        commit_or_stale(uow)
        return filing_view(services, uow.session, filing)


def copy_filing(services: Services, actor: Actor, filing_id: int) -> FilingView:
    """A new draft with a rejected (or withdrawn) filing's values and section attachments, to fix and resubmit.

    The signed letter is not copied: it names the old filing and must be signed again.
    """
    now = services.now()
    copied_keys: list[str] = []
    with services.uow() as uow:
        source = load_filing(uow, actor, filing_id)
        if source.status not in COPYABLE_STATUSES:
            raise Conflict(msg.COPY_NOT_ALLOWED.format(status=STATUS_LABELS[FilingStatus(source.status)]))
        business = get_business(source.business)
        enterprise = uow.filings.enterprise(source.enterprise_id)
        check_applicable(business, EnterpriseType(source.enterprise_type), filed=enterprise.filed_at is not None)
        if (open_one := uow.filings.open_one(enterprise.id, business.key)) is not None:
            raise Conflict(
                msg.COPY_OPEN_EXISTS.format(business=business.label, reference=reference_of(open_one)),
                open_filing_id=open_one.id,
            )
        check_openable(services, actor, business, enterprise)
        filing = Filing(
            enterprise_id=enterprise.id,
            business=business.key,
            enterprise_type=source.enterprise_type,
            status=FilingStatus.DRAFT,
            sections=dict(source.sections),
            copied_from_id=source.id,
            created_by=actor.as_dict(),
            created_at=now,
            updated_at=now,
        )
        add_event(
            filing, actor, None, FilingStatus.DRAFT, now, [msg.COPIED_FROM.format(reference=reference_of(source))]
        )
        uow.filings.add(filing)
        submission_kinds = {k.key for k in business.submission_attachments}
        try:
            for attachment in source.attachments:
                if attachment.kind in submission_kinds:
                    continue
                with services.storage.open(attachment.storage_key) as stream:
                    stored = services.storage.save(
                        stream, max_bytes=attachment.size, prefix=f"{filing.enterprise_id}/{filing.id}"
                    )
                copied_keys.append(stored.key)
                filing.attachments.append(
                    Attachment(
                        id=str(uuid4()),
                        kind=attachment.kind,
                        filename=attachment.filename,
                        content_type=attachment.content_type,
                        size=stored.size,
                        sha256=stored.sha256,
                        storage_key=stored.key,
                        uploaded_by=attachment.uploaded_by,
                        created_at=now,
                    )
                )
            uow.audit(
                actor, "filing_copied", f"filing:{filing.id}", now, {"business": business.key, "copied_from": source.id}
            )
            uow.commit()
        except BaseException:
            for key in copied_keys:
                release_file(services, key)
            raise
        return filing_view(services, uow.session, filing)
