"""The orjson provider writes what Flask's default provider writes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given
from hypothesis import strategies as st

from entryfiling.http.json_provider import OrjsonProvider

app = Flask(__name__)
ORJSON, DEFAULT = OrjsonProvider(app), DefaultJSONProvider(app)
DEFAULT.ensure_ascii = False  # as the app configures it

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_json_value_reads_back_the_same(value):
    assert json.loads(ORJSON.dumps(value)) == json.loads(DEFAULT.dumps(value))


@dataclass
class Row:
    at: datetime
    day: date


def test_values_json_has_no_type_for_are_converted_as_flask_does():
    value = {
        "b": [Decimal("1.50"), uuid.UUID(int=7)],
        "a": Row(datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC), date(2026, 12, 2)),
        "中文": "新疆",
        "big": 2**70,
    }
    assert ORJSON.dumps(value) == DEFAULT.dumps(value)
    assert ORJSON.dumps(value).startswith('{"a"')  # keys sorted, compact, not ASCII-escaped
