"""What the log redaction masks wherever it appears, and what it leaves alone."""

from __future__ import annotations

import io
import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from entryfiling.ops.logs import JsonFormatter, RedactingFilter, redact
from tests.factories import make_id_number

_SEPARATORS = st.sampled_from([" ", "/", "=", ":", "：", "，", '"', "?id=", "号码"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd", "L")), max_size=20)


@given(before=_TEXT, sep=_SEPARATORS, after=_TEXT, seq=st.integers(0, 999))
def test_id_numbers_are_masked_wherever_they_stand(before: str, sep: str, after: str, seq: int) -> None:
    number = make_id_number(seq=seq)
    masked = redact(f"{before}{sep}{number}{sep}{after}")
    assert number not in masked
    assert f"{number[:6]}********{number[-1]}" in masked


def test_credentials_in_urls_and_bodies_are_masked() -> None:
    line = (
        'GET /cgi-bin/message/subscribe/send?access_token=ACCESS123&x=1 "session_key": "c2Vzc2lvbg==" '
        "Authorization: Bearer eyJlaWQiOjF9.Z0xYzA.abcdefghijklmnopqrstuvwxyz0 signature=MEUCIQ js_code=0a1b"
    )
    masked = redact(line)
    for secret in ("ACCESS123", "c2Vzc2lvbg==", "eyJlaWQiOjF9", "MEUCIQ", "0a1b"):
        assert secret not in masked
    assert "access_token=***&x=1" in masked


def test_ordinary_values_stay_readable() -> None:
    text = "filing 42 of enterprise 7 took 135 ms; errcode=43101; phone 13912345678; JJ20261202000001"
    assert redact(text) == text


def test_arguments_and_extra_fields_are_masked_and_carry_the_request_id() -> None:
    number = make_id_number()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("certificates of %s", number, extra={"path": f"/api/persons/{number}/certificates"})
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = json.loads(stream.getvalue())
    assert number not in stream.getvalue()
    assert line["level"] == "WARNING" and line["logger"] == "tests.redaction" and "request_id" in line
