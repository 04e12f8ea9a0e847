"""Whatever a client sends to a section, the answer is a 2xx or a clear 4xx, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entryfiling.domain.businesses import FIRST_FILING
from tests.api.flows import open_first_filing

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
field_keys = st.sampled_from([f.key for s in FIRST_FILING.sections for f in s.fields] + ["unknown"])
section_keys = st.sampled_from([s.key for s in FIRST_FILING.sections])
bodies = st.dictionaries(field_keys, json_values, max_size=4) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(section=section_keys, body=bodies)
def test_any_section_body_gets_a_clear_answer(enterprise, section, body):
    filing = _filing(enterprise)
    response = enterprise.put(f"/api/v1/filings/{filing}/sections/{section}", json=body, headers={"If-Match": "*"})
    assert response.status_code in (200, 400, 409, 412, 422), response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json["detail"]


_filings: dict[str, int] = {}


def _filing(enterprise) -> int:
    """One draft per test run (the fixture lives across hypothesis examples), keyed by its unique token."""
    if enterprise.token not in _filings:
        _filings.clear()
        _filings[enterprise.token] = open_first_filing(enterprise)["id"]
    return _filings[enterprise.token]
