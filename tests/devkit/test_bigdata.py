"""The deadline-sized data generator, at a small size, so it cannot rot: what it writes is what the
application reads, through the same API a user calls (PostgreSQL only: it writes with COPY)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from devkit import bigdata
from entryfiling.db.models import (
    Attachment,
    Employment,
    Enterprise,
    Filing,
    FilingEvent,
    Person,
    PersonCertificate,
    PublicEntry,
)
from entryfiling.domain.validators import normalize_id_number


@pytest.fixture
def generated(services):
    if services.engine.dialect.name != "postgresql":
        pytest.skip("the generator writes with PostgreSQL's COPY")
    return bigdata.generate(services, 1000, log=lambda _line: None)


def count(services, model) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_the_generator_writes_every_table_in_the_declared_proportions(services, generated):
    assert generated["rows"]["filings"] == count(services, Filing) == 1000
    assert count(services, Enterprise) == 100
    assert count(services, Person) == count(services, Employment) == 1000
    assert count(services, PersonCertificate) == 3000
    assert count(services, Attachment) == 2000
    assert count(services, FilingEvent) == generated["rows"]["filing_events"]
    assert count(services, PublicEntry) == 90  # one enterprise in ten is not filed yet


def test_generated_identifiers_are_valid_and_id_numbers_sealed_as_the_app_seals_them(services, generated):
    with services.uow() as uow:
        persons = uow.session.scalars(select(Person).limit(50)).all()
        usccs = uow.session.scalars(select(Enterprise.uscc)).all()
    for person in persons:
        number = services.cipher.decrypt(person.id_number_sealed)
        assert normalize_id_number(number) == number
        assert services.cipher.blind_index(number) == person.id_number_index
    assert usccs and all(bigdata.uscc.is_valid(u) for u in usccs)


def test_generated_filings_read_through_the_api(services, generated, login_enterprise):
    first = generated["first_ids"]["enterprise"]
    enterprise = login_enterprise(bigdata.enterprise_name(first), bigdata.enterprise_uscc(first))
    assert enterprise.id == first

    records = enterprise.get("/api/v1/filings?page_size=20")
    assert records.status_code == 200, records.json
    assert records.json["total"] == bigdata.FILINGS_PER_ENTERPRISE
    for item in records.json["items"]:
        detail = enterprise.get(f"/api/v1/filings/{item['id']}")
        assert detail.status_code == 200, detail.json
    approved_first = next(i for i in records.json["items"] if i["business"] == "first_filing")
    shown = enterprise.get(f"/api/v1/filings/{approved_first['id']}").json
    assert bigdata.enterprise_uscc(first) in str(shown)
    assert bigdata.id_number(generated["first_ids"]["person"]) not in str(shown)  # masked, never in clear

    by_uscc = enterprise.get(f"/api/v1/public/enterprises?uscc={bigdata.enterprise_uscc(first)}").json
    assert [e["name"] for e in by_uscc["items"]] == [bigdata.enterprise_name(first)]
    by_name = enterprise.get("/api/v1/public/enterprises", query_string={"q": bigdata.enterprise_name(first)}).json
    assert by_name["total"] == 1
