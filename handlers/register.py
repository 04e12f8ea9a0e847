"""The public register (公示): anyone may search filed enterprises, no login.

Entries are written at approval (``handlers.records.refresh_public_entry``); here they are only read.
Whether the publicity lapsed and whether a qualification expired is decided at reading time, so a
lapsed enterprise shows as lapsed the day after, without a job.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY as postgresql_array

from entryfiling import messages as msg
from entryfiling.db.models import PublicEntry
from entryfiling.domain.businesses import record_sections
from entryfiling.domain.errors import NotFound, ValidationFailed
from entryfiling.domain.register import with_validity
from handlers.persons import page_envelope
from handlers.records import type_label
from handlers.services import Services

VALID = "valid"
LAPSED = "lapsed"
# The most matches a search counts. Counting every match is a walk over all of them, and a common
# two-character query (建设) matches a tenth of the register: its count grew with the register while
# the page itself (an index walk in name order) did not. Past this, ``total`` is this bound and
# ``total_capped`` says there are more; the keyset ``next`` still pages through all of them.
COUNT_LIMIT = 1000


def present_entry(services: Services, entry: PublicEntry) -> dict[str, Any]:
    today = services.today()
    lapsed = entry.publicity_until is None or entry.publicity_until < today
    return {
        "name": entry.name,
        "uscc": entry.uscc,
        "enterprise_type": entry.enterprise_type,
        "enterprise_type_label": type_label(entry.enterprise_type),
        "filed_at": entry.filed_at.isoformat(),
        "publicity_until": entry.publicity_until.isoformat() if entry.publicity_until else None,
        "publicity_status": LAPSED if lapsed else VALID,
        "publicity_status_label": msg.PUBLICITY_LAPSED if lapsed else msg.PUBLICITY_VALID,
        "record": with_validity(record_sections(), entry.entry, today),
    }


def encode_cursor(entry: PublicEntry) -> str:
    """Where the next page starts: the last entry's sort key, opaque to clients."""
    return base64.urlsafe_b64encode(json.dumps([entry.name, entry.enterprise_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        name, enterprise_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(name, str) or not isinstance(enterprise_id, int) or isinstance(enterprise_id, bool):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationFailed.on("after", msg.PAGE_CURSOR_INVALID) from None
    return name, enterprise_id


def query_grams(text: str) -> list[str]:
    """The character pairs of a query (its one character when it has one), as ``register_grams``
    (migration 0010_perf) indexes them."""
    text = text.lower()
    return [text] if len(text) == 1 else sorted({text[i : i + 2] for i in range(len(text) - 1)})


# Stored beside the searched columns on PostgreSQL only (migration 0010_perf), not mapped.
GRAM_COLUMNS = {"name": "name_grams", "qualification_names": "qualification_grams"}


def _substring(column: Any, text: str, postgresql: bool) -> list[ColumnElement[bool]]:
    """``column`` contains ``text``. On PostgreSQL the short patterns pg_trgm cannot index (one or two
    characters) are narrowed by the character-pair GIN index, then checked with ``strpos`` (which,
    unlike LIKE, does not send the planner to a trigram index that cannot help)."""
    if not (postgresql and len(text) < 3):
        return [column.contains(text, autoescape=True)]
    grams = literal_column(f"public_register.{GRAM_COLUMNS[column.key]}", type_=postgresql_array(Text))
    return [grams.contains(cast(query_grams(text), postgresql_array(Text))), func.strpos(column, text) > 0]


def search_register(
    services: Services,
    *,
    q: str | None = None,
    uscc: str | None = None,
    enterprise_type: str | None = None,
    qualification: str | None = None,
    publicity_status: str | None = None,
    page: int = 1,
    page_size: int = 20,
    after: str | None = None,
) -> dict[str, Any]:
    """Filed enterprises by name, USCC, type or qualification; lapsed ones are listed, marked lapsed.

    ``after`` (the ``next`` of the previous page) pages by keyset, which stays fast however deep;
    ``page`` remains for shallow pages.
    """
    postgresql = services.engine.dialect.name == "postgresql"
    query = select(PublicEntry)
    if q and q.strip():
        query = query.where(*_substring(PublicEntry.name, q.strip(), postgresql))
    if uscc and uscc.strip():
        query = query.where(PublicEntry.uscc == uscc.strip().upper())
    if enterprise_type:
        query = query.where(PublicEntry.enterprise_type == enterprise_type)
    if qualification and qualification.strip():
        query = query.where(*_substring(PublicEntry.qualification_names, qualification.strip(), postgresql))
    today = services.today()
    if publicity_status == VALID:
        query = query.where(PublicEntry.publicity_until >= today)
    elif publicity_status == LAPSED:
        query = query.where((PublicEntry.publicity_until < today) | PublicEntry.publicity_until.is_(None))
    with services.reader() as uow:
        counted = uow.session.scalar(select(func.count()).select_from(query.limit(COUNT_LIMIT + 1).subquery())) or 0
        total = min(counted, COUNT_LIMIT)
        ordered = query.order_by(PublicEntry.name, PublicEntry.enterprise_id).limit(page_size + 1)
        if after:
            ordered = ordered.where(tuple_(PublicEntry.name, PublicEntry.enterprise_id) > decode_cursor(after))
        else:
            ordered = ordered.offset((page - 1) * page_size)
        entries = uow.session.scalars(ordered).all()
        shown = entries[:page_size]
        envelope = page_envelope([present_entry(services, e) for e in shown], total, page, page_size)
        envelope["next"] = encode_cursor(shown[-1]) if len(entries) > page_size else None
        envelope["total_capped"] = counted > COUNT_LIMIT
        return envelope


def public_enterprise(services: Services, uscc: str) -> dict[str, Any]:
    with services.reader() as uow:
        entry = uow.session.scalar(select(PublicEntry).where(PublicEntry.uscc == uscc.strip().upper()))
        if entry is None:
            raise NotFound(msg.PUBLIC_ENTERPRISE_NOT_FOUND)
        return present_entry(services, entry)
