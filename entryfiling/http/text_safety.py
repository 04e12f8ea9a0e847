"""Text a database cannot keep is refused at the door, in one place, for both APIs.

PostgreSQL stores no NUL character in text (SQLite does): a NUL anywhere in a request — a query
parameter, a JSON string or key, a form field — would otherwise reach the database and fail there
as a server error, and on SQLite be kept. Every such request is answered 422, naming where the
character is. The hook runs after the gate (``gate.py``), so who is asking is settled first.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from entryfiling import messages as msg
from entryfiling.domain.errors import ValidationFailed

NUL = "\x00"


def register_text_safety(app: Flask) -> None:
    app.before_request(refuse_nul_characters)


def _nul_path(value: Any, path: str) -> str | None:
    """The field path of the first text holding a NUL, if any."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, nested in value.items():
            inner = f"{path}.{key}" if path else str(key)
            found = inner if NUL in str(key) else _nul_path(nested, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, nested in enumerate(value):
            found = _nul_path(nested, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _first_field_with_nul(fields: Any) -> str | None:
    return next((name for name, value in fields.items(multi=True) if NUL in name or NUL in value), None)


def _may_hold_nul(body: bytes) -> bool:
    """A JSON text carries a NUL only as the escape ``\\u0000`` (a raw one, or another encoding
    than UTF-8, puts a NUL byte in the body), so a body with neither holds none, and is not parsed
    here: the hook parsed every JSON body once more than the view does."""
    return b"\\u0000" in body or b"\x00" in body


_FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def refuse_nul_characters() -> None:
    # Only what the request has: parsing an empty query or form on every GET is not free.
    found = _first_field_with_nul(request.args) if request.query_string else None
    if found is None and request.mimetype in _FORMS:
        found = _first_field_with_nul(request.form)
    if found is None and request.is_json and _may_hold_nul(request.get_data(cache=True)):
        found = _nul_path(request.get_json(silent=True), "")
    if found is not None:
        raise ValidationFailed.on(found or "_", msg.TEXT_NUL)
