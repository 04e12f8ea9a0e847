"""JSON columns are read by orjson where it reads exactly what the standard library would."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from entryfiling.db.session import read_json

# Everything the standard library writes into a column: any integer, NaN and infinities, any text
# (lone surrogates included), with and without its ASCII escaping.
_WRITTEN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=500, deadline=None)
@given(_WRITTEN, st.booleans())
def test_a_column_reads_as_the_standard_library_reads_it(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert _same(read_json(text), json.loads(text))
    assert _same(read_json(text.encode("utf-8", "surrogatepass")), json.loads(text.encode("utf-8", "surrogatepass")))


def test_the_values_orjson_would_read_otherwise():
    for text in ("123456789012345678901234567890", '{"n": -99999999999999999999}', "NaN", "[Infinity]", '"\\ud800"'):
        assert _same(read_json(text), json.loads(text)), text
    assert read_json('{"编号": "1234567890123456789"}') == {"编号": "1234567890123456789"}
