"""Stored attachment files as the use cases see them: released only when nothing refers to them.

Keys are content-addressed (``<enterprise>/<filing>/<sha256>``), so two identical uploads in one
filing share one stored file; deleting it is therefore decided here, against the attachment rows,
and never by the storage backend, which cannot know who else refers to a key.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from sqlalchemy import func, select

from entryfiling.db.models import Attachment
from entryfiling.integrations.letter_reading import LetterReading, read_letter_references, reading_kept
from handlers.services import Services


def release_file(services: Services, key: str) -> None:
    """Delete the stored file behind ``key`` unless a committed attachment still refers to it."""
    with services.uow() as uow:
        used = uow.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.storage_key == key))
    if not used:
        services.storage.delete(key)


def open_file(services: Services, key: str) -> BinaryIO:
    return services.storage.open(key)


def read_stored_letter(services: Services, key: str) -> LetterReading:
    """Whether a stored signed letter is a readable PDF and which filings it names: one read of the file."""
    with services.storage.open(key) as stream:
        return read_letter_references(io.BytesIO(stream.read()))


def signed_letter_reading(services: Services, attachment: Attachment) -> LetterReading:
    """What the attachment's file says as a signed letter: as read at its upload when that finding
    names this very file (its content hash) and the current reader, else read from the file now."""
    kept = reading_kept(attachment.letter_reading, attachment.sha256)
    return kept if kept is not None else read_stored_letter(services, attachment.storage_key)
