"""The 企业诚信守法承诺书 of a filing, pre-filled from the record as this filing would make it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entryfiling.db.models import Enterprise, Filing, Person
from entryfiling.domain.businesses import (
    LETTER_LEGAL_REPRESENTATIVE,
    LETTER_RESPONSIBLE_PERSON,
    Business,
    record_sections,
)
from entryfiling.domain.commitment_letter import LetterParties
from entryfiling.domain.fields import RecordMode, map_sensitive
from entryfiling.integrations.pdf import render_commitment_letter
from handlers.filings.common import business_of, load_filing, unseal_sections
from handlers.filings.views import reference_of
from handlers.services import Actor, Services


@dataclass(frozen=True)
class Letter:
    pdf: bytes
    filename: str
    reference: str
    ascii_filename: str  # for clients that cannot read the Chinese filename


def record_with_draft(
    services: Services, business: Business, enterprise: Enterprise, filing: Filing
) -> dict[str, dict[str, Any]]:
    """The enterprise's filed record as it would be after this filing: record overlaid with the draft."""
    sections_by_record_key = record_sections()
    merged: dict[str, dict[str, Any]] = {}
    for record_key, values in enterprise.filed_record.items():
        section = sections_by_record_key.get(record_key)
        if section is not None and isinstance(values, dict):
            merged[record_key] = map_sensitive(section, values, services.cipher.decrypt)
    for key, values in unseal_sections(services, business, filing.sections).items():
        section = business.section(key)
        if section is not None and section.record_key and section.record_mode is RecordMode.REPLACE:
            merged[section.record_key] = values
    return merged


def commitment_letter(services: Services, actor: Actor, filing_id: int) -> Letter:
    """The letter PDF pre-filled with the legal representative and the responsible person."""
    with services.uow() as uow:
        filing = load_filing(uow, actor, filing_id)
        business = business_of(filing)
        enterprise = uow.filings.enterprise(filing.enterprise_id)
        record = record_with_draft(services, business, enterprise, filing)
        section_key, name_key, id_key = LETTER_LEGAL_REPRESENTATIVE
        legal = record.get(section_key, {})
        person_section, person_key = LETTER_RESPONSIBLE_PERSON
        person_id = record.get(person_section, {}).get(person_key)
        person = uow.session.get(Person, person_id) if person_id else None
        reference = reference_of(filing)
        parties = LetterParties(
            enterprise_name=enterprise.name,
            uscc=enterprise.uscc,
            legal_representative_name=legal.get(name_key, ""),
            legal_representative_id_number=legal.get(id_key, ""),
            responsible_person_name=person.name if person else "",
            responsible_person_id_number=services.cipher.decrypt(person.id_number_sealed) if person else "",
            business_label=business.label,
            filing_reference=reference,
            issued_on=services.today(),
        )
        uow.audit(actor, "letter_downloaded", f"filing:{filing.id}", services.now())
        uow.commit()
    return Letter(
        render_commitment_letter(parties),
        f"企业诚信守法承诺书-{reference}.pdf",
        reference,
        f"commitment-letter-{reference}.pdf",
    )
