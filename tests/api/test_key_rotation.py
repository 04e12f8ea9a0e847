"""Rotating ID_ENCRYPTION_KEY: every sealed value re-encrypted and re-indexed, readable throughout."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from entryfiling.db.models import Enterprise, Filing, Person
from entryfiling.domain.errors import Conflict
from entryfiling.integrations.id_cipher import IdCipher
from handlers import persons
from handlers.key_rotation import rotate_id_encryption
from tests.api.flows import LEGAL_REP_ID, complete_first_filing, sign_and_submit
from tests.factories import make_id_number


def sealed_values(services) -> list[str]:
    """Every sealed token in the database: person rows, filing drafts and filed records."""
    with services.uow() as uow:
        values = list(uow.session.scalars(select(Person.id_number_sealed)))
        for sections in uow.session.scalars(select(Filing.sections)):
            values.append(sections["basic_info"]["legal_representative_id_number"])
        for record in uow.session.scalars(select(Enterprise.filed_record)):
            if record:
                values.append(record["basic_info"]["legal_representative_id_number"])
    return values


def test_rotation_reencrypts_everything_and_the_old_key_stays_readable_meanwhile(
    enterprise, make_person, make_app, settings
):
    responsible_id = make_id_number()
    responsible = make_person("张建国", employed_by=enterprise.id, id_number=responsible_id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical)
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    old_key, new_key = settings.id_encryption_key, IdCipher.generate_key()

    during = make_app(id_encryption_key=new_key, id_encryption_previous_keys=(old_key,))
    services = during.extensions["entryfiling"]
    client = during.test_client()
    before = client.get(f"/api/v1/filings/{filing['id']}", headers=enterprise.headers).json
    with pytest.raises(Conflict):  # the blind index is still found under the old key
        persons.register_person(services, "冒名", responsible_id)

    report = rotate_id_encryption(services, batch=1)
    assert report.counts["persons"] == 2 and report.counts["filings"] == 1 and report.counts["enterprises"] >= 1

    after = make_app(id_encryption_key=new_key)  # the old key is gone now
    after_services = after.extensions["entryfiling"]
    assert after.test_client().get(f"/api/v1/filings/{filing['id']}", headers=enterprise.headers).json == before
    new_cipher, old_cipher = IdCipher(new_key), IdCipher(old_key)
    values = sealed_values(after_services)
    assert len(values) == 4
    assert LEGAL_REP_ID in {new_cipher.decrypt(v) for v in values}
    for value in values:
        with pytest.raises(ValueError):
            old_cipher.decrypt(value)
    with pytest.raises(Conflict):  # and found under the new index
        persons.register_person(after_services, "冒名", responsible_id)
    again = rotate_id_encryption(after_services)  # re-running is harmless
    assert again.counts["persons"] == 2
