"""A section save seals only the ID numbers it was sent and opens none: the fields it leaves alone
keep their stored token, and the answer shows what it sealed without decrypting it again."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from entryfiling.db.models import Filing
from tests.api.flows import LEGAL_REP_ID, basic_info, current_etag, open_first_filing


@pytest.fixture
def cipher_calls(services, monkeypatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in ("encrypt", "decrypt"):
        original = getattr(services.cipher, name)

        def counted(value: str, name: str = name, original: Any = original) -> str:
            calls[name] += 1
            return original(value)

        monkeypatch.setattr(services.cipher, name, counted)
    return calls


def stored_id_token(services, filing_id: int) -> str:
    with services.read_connection() as connection:
        sections = connection.scalar(select(Filing.sections).where(Filing.id == filing_id))
    return sections["basic_info"]["legal_representative_id_number"]


def put_basic_info(enterprise, filing_id: int, values: dict[str, Any], counting: Counter[str] | None = None) -> Any:
    """The save, counting the cipher's calls of the save alone (not of reading the ETag)."""
    etag = current_etag(enterprise, filing_id)
    if counting is not None:
        counting.clear()
    response = enterprise.put(
        f"/api/v1/filings/{filing_id}/sections/basic_info", json=values, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.json
    return response.json


def shown_id_number(answer: dict[str, Any]) -> str:
    section = next(s for s in answer["sections"] if s["key"] == "basic_info")
    return section["values"]["legal_representative_id_number"]


def test_a_save_seals_what_it_was_sent_and_shows_it_without_opening_it(enterprise, services, cipher_calls):
    fid = open_first_filing(enterprise)["id"]
    put_basic_info(enterprise, fid, basic_info(enterprise))
    first_token = stored_id_token(services, fid)
    answer = put_basic_info(enterprise, fid, basic_info(enterprise), cipher_calls)
    # The ID number sent is sealed anew; the stored one is not opened, nor the new one for the answer.
    assert cipher_calls == {"encrypt": 1}
    assert stored_id_token(services, fid) != first_token
    assert services.cipher.decrypt(stored_id_token(services, fid)) == LEGAL_REP_ID
    detail = enterprise.get(f"/api/v1/filings/{fid}").json
    assert shown_id_number(answer) == shown_id_number(detail) != LEGAL_REP_ID
    assert LEGAL_REP_ID[-4:] in shown_id_number(answer)


def test_a_save_leaves_the_id_numbers_it_was_not_sent_sealed_as_stored(enterprise, services, cipher_calls):
    fid = open_first_filing(enterprise)["id"]
    put_basic_info(enterprise, fid, basic_info(enterprise))
    token = stored_id_token(services, fid)
    answer = put_basic_info(enterprise, fid, {"contact_name": "赵小红"}, cipher_calls)
    # Nothing sealed; opened once, to show it masked in the answer.
    assert cipher_calls == {"decrypt": 1}
    assert stored_id_token(services, fid) == token
    section = next(s for s in answer["sections"] if s["key"] == "basic_info")
    assert section["values"]["contact_name"] == "赵小红"
    assert shown_id_number(answer) == shown_id_number(enterprise.get(f"/api/v1/filings/{fid}").json)


def test_a_cleared_id_number_is_gone_and_nothing_is_opened(enterprise, services, cipher_calls):
    fid = open_first_filing(enterprise)["id"]
    put_basic_info(enterprise, fid, basic_info(enterprise))
    answer = put_basic_info(enterprise, fid, {"legal_representative_id_number": None}, cipher_calls)
    assert cipher_calls == {}
    assert (
        "legal_representative_id_number"
        not in next(s for s in answer["sections"] if s["key"] == "basic_info")["values"]
    )
