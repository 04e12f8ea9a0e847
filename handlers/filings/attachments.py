"""Attachments of a draft: upload (kind, size, count, real content type), download, delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any, BinaryIO
from uuid import uuid4

from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.models import Attachment, Filing
from entryfiling.domain.content_types import PDF
from entryfiling.domain.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from entryfiling.domain.fields import attachment_refs
from entryfiling.domain.filing import require_draft
from entryfiling.integrations.file_safety import store_checked_upload
from entryfiling.integrations.letter_reading import kept_reading
from handlers.filings.common import attachment_counts, business_of, commit_or_stale, load_draft, load_filing
from handlers.filings.views import FilingView, filing_view
from handlers.services import Actor, Services
from handlers.stored_files import open_file, read_stored_letter, release_file


def upload_attachment(
    services: Services,
    actor: Actor,
    filing_id: int,
    kind_key: str | None,
    filename: str,
    stream: BinaryIO,
    source_pages: list[dict[str, Any]] | None = None,
) -> FilingView:
    """Store an upload after checking its kind, size, count and real content type.

    ``source_pages``: the photos a server-assembled PDF was made of (name, type, size, SHA-256 each).
    """
    now = services.now()
    with services.uow() as uow:
        draft = load_draft(uow, actor, filing_id)
        filing, business = draft.filing, draft.business
        kind = business.attachment_kind(kind_key or "")
        if kind is None:
            options = "、".join(f"{k.key}（{k.label}）" for k in business.attachment_kinds)
            text = msg.ATTACHMENT_KIND_UNKNOWN.format(kind=kind_key or "", options=options)
            raise ValidationFailed.on("kind", text)
        if attachment_counts(filing)[kind.key] >= kind.max_count:
            text = msg.ATTACHMENT_TOO_MANY.format(label=kind.label, limit=kind.max_count)
            raise Conflict(text, errors={"kind": text})
        try:
            stored = services.storage.save(
                stream, max_bytes=kind.max_bytes, prefix=f"{filing.enterprise_id}/{filing.id}"
            )
        except PayloadTooLarge:
            text = msg.ATTACHMENT_KIND_TOO_LARGE.format(label=kind.label, limit_mb=kind.max_bytes // (1024 * 1024))
            raise PayloadTooLarge(text, errors={"file": text}) from None
        uploaded = stored.key
        try:
            if stored.size == 0:
                raise ValidationFailed.on("file", msg.ATTACHMENT_EMPTY)
            checked = store_checked_upload(services.storage, stored, kind)
            stored, content_type = checked.stored, checked.content_type
            letter_reading = None
            if content_type == PDF and kind.key in {k.key for k in business.submission_attachments}:
                # Read once here, kept with the attachment for this file's hash: the submit uses it.
                letter_reading = kept_reading(read_stored_letter(services, stored.key), stored.sha256)
            attachment = Attachment(
                id=str(uuid4()),
                kind=kind.key,
                filename=_safe_filename(filename),
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.key,
                uploaded_by=actor.as_dict(),
                created_at=now,
                source_pages=source_pages,
                letter_reading=letter_reading,
            )
            filing.attachments.append(attachment)
            filing.updated_at = now  # bumps the version: two racing uploads cannot both pass the count
            uow.audit(
                actor,
                "attachment_uploaded",
                f"filing:{filing.id}",
                now,
                {"attachment": attachment.id, "kind": kind.key, "size": stored.size, "sha256": stored.sha256},
            )
            try:
                uow.commit()
            except StaleDataError:
                uow.rollback()
                raise Conflict(msg.ATTACHMENT_CONCURRENT) from None
        except BaseException:
            for key in {uploaded, stored.key}:
                release_file(services, key)
            raise
        if checked.replaced_key:
            release_file(services, checked.replaced_key)  # the raw photo, unless an attachment shares it
        return filing_view(services, uow.session, filing, attachment=attachment)


def _safe_filename(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "附件"


@dataclass(frozen=True)
class AttachmentFile:
    open: Callable[[], BinaryIO]
    filename: str
    content_type: str
    size: int
    sha256: str
    ascii_filename: str  # for clients that cannot read a Chinese name, e.g. business-license-1a2b3c4d.pdf


def _ascii_filename(attachment: Attachment) -> str:
    suffix = PurePosixPath(attachment.filename).suffix
    suffix = suffix if suffix.isascii() and len(suffix) <= 10 else ""
    return f"{attachment.kind.replace('_', '-')}-{attachment.id[:8]}{suffix}"


def attachment_file(services: Services, filing: Filing, attachment_id: str) -> AttachmentFile:
    """Where one of the filing's attachments is stored, and how to serve it."""
    attachment = next((a for a in filing.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(msg.ATTACHMENT_NOT_FOUND)
    return AttachmentFile(
        partial(open_file, services, attachment.storage_key),
        attachment.filename,
        attachment.content_type,
        attachment.size,
        attachment.sha256,
        _ascii_filename(attachment),
    )


def open_attachment(services: Services, actor: Actor, filing_id: int, attachment_id: str) -> AttachmentFile:
    with services.uow() as uow:
        return attachment_file(services, load_filing(uow, actor, filing_id), attachment_id)


def delete_attachment(services: Services, actor: Actor, filing_id: int, attachment_id: str) -> FilingView:
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow, actor, filing_id)
        attachment = next((a for a in filing.attachments if a.id == attachment_id), None)
        if attachment is None:
            raise NotFound(msg.ATTACHMENT_NOT_FOUND)
        require_draft(filing.status)
        business = business_of(filing)
        for section in business.sections:
            for path, _fld, ref in attachment_refs(section, filing.sections.get(section.key) or {}):
                if ref == attachment_id:
                    row = int(path.split("[", 1)[1].split("]", 1)[0]) + 1 if "[" in path else 1
                    raise Conflict(msg.ATTACHMENT_REFERENCED.format(section=section.label, row=row))
        storage_key = attachment.storage_key
        filing.attachments.remove(attachment)
        if filing.signed_letter_id == attachment_id:
            filing.signed_letter_id = None
        filing.updated_at = now
        uow.audit(actor, "attachment_deleted", f"filing:{filing.id}", now, {"attachment": attachment_id})
        commit_or_stale(uow)
        release_file(services, storage_key)
        return filing_view(services, uow.session, filing)
