"""Re-encrypt every stored ID number (and the WeChat session keys) under the current ID_ENCRYPTION_KEY.

Run with the new key as ID_ENCRYPTION_KEY and the old one in ID_ENCRYPTION_PREVIOUS_KEYS, on
every process: the app keeps reading both while this runs in batches, each committed on its own,
so the run can be interrupted and started again (re-sealing a value twice is harmless). Blind
indexes are recomputed under the new key in the same statement as the value they index.
Filings are updated without bumping their version: their content did not change, and an editor's
ETag must stay valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from entryfiling.db.models import Enterprise, Filing, IdentityVerification, Person, WeChatUser
from entryfiling.domain.businesses import BUSINESSES, record_sections
from entryfiling.domain.fields import map_sensitive, map_sensitive_record
from handlers.services import SYSTEM, Services

BATCH = 200


@dataclass
class RotationReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + n


def rotate_id_encryption(services: Services, batch: int = BATCH) -> RotationReport:
    cipher = services.cipher
    report = RotationReport()

    def sealed_and_indexed(row: Any) -> dict[str, Any]:
        plain = cipher.decrypt(row.id_number_sealed)
        return {"id_number_sealed": cipher.encrypt(plain), "id_number_index": cipher.blind_index(plain)}

    _each(services, Person, sealed_and_indexed, report, batch)
    _each(services, IdentityVerification, sealed_and_indexed, report, batch)
    _each(
        services,
        WeChatUser,
        lambda row: {"session_key_sealed": cipher.rotate(row.session_key_sealed)} if row.session_key_sealed else {},
        report,
        batch,
    )

    def filing_sections(row: Any) -> dict[str, Any]:
        business = BUSINESSES.get(row.business)
        if business is None or not row.sections:
            return {}
        sections = {s.key: s for s in business.sections}
        return {
            "sections": {
                key: map_sensitive(sections[key], values, cipher.rotate) if key in sections else values
                for key, values in row.sections.items()
            }
        }

    _each(services, Filing, filing_sections, report, batch)
    record_kinds = record_sections()

    def filed_record(row: Any) -> dict[str, Any]:
        if not row.filed_record:
            return {}
        return {
            "filed_record": {
                key: map_sensitive_record(record_kinds[key], value, cipher.rotate) if key in record_kinds else value
                for key, value in row.filed_record.items()
            }
        }

    _each(services, Enterprise, filed_record, report, batch)
    with services.uow() as uow:
        uow.audit(SYSTEM, "id_encryption_rotated", "id_encryption", services.now(), dict(report.counts))
        uow.commit()
    return report


def _each(
    services: Services, model: Any, new_values: Callable[[Any], dict[str, Any]], report: RotationReport, batch: int
) -> None:
    """Rewrite each row of ``model`` with ``new_values(row)``, in batches by primary key."""
    table = model.__table__
    last: Any = None
    while True:
        with services.uow() as uow:
            query = select(model).order_by(model.id).limit(batch)
            if last is not None:
                query = query.where(model.id > last)
            rows = list(uow.session.scalars(query))
            if not rows:
                return
            for row in rows:
                values = new_values(row)
                if values:
                    uow.session.execute(update(table).where(table.c.id == row.id).values(**values))
                    report.add(table.name, 1)
            last = rows[-1].id
            uow.commit()
