"""Stored attachment files as the use cases see them: released only when nothing refers to them.

Keys are content-addressed (``<enterprise>/<filing>/<sha256>``), so two identical uploads in one
filing share one stored file; deleting it is therefore decided here, against the attachment rows,
and never by the storage backend, which cannot know who else refers to a key.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import func, select

from entryfiling.db.models import Attachment
from entryfiling.integrations.pdf import is_readable_pdf
from handlers.services import Services


def release_file(services: Services, key: str) -> None:
    """Delete the stored file behind ``key`` unless a committed attachment still refers to it."""
    with services.uow() as uow:
        used = uow.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.storage_key == key))
    if not used:
        services.storage.delete(key)


def open_file(services: Services, key: str) -> BinaryIO:
    return services.storage.open(key)


def is_readable_stored_pdf(services: Services, key: str) -> bool:
    with services.storage.open(key) as stream:
        return is_readable_pdf(stream)
