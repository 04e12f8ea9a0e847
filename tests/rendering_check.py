"""Every filing an API test receives is also dumped by the schemas, and the two must be equal.

The filing response is rendered by hand (``entryfiling/http/filings/rendering.py``) for speed; the
schemas stay its documentation. With this fixture active, each filing and records page rendered
during the API tests (every business, enterprise type, state, section, attachment, rule result and
record change those tests reach) is compared with ``FilingSchema().dump`` / ``FilingPageSchema().dump``
of the same read model, so the renderer cannot drift from the documented contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from entryfiling.http.filings import rendering, routes
from entryfiling.http.filings.schemas import FilingPageSchema, FilingSchema

FILING_SCHEMA = FilingSchema()
PAGE_SCHEMA = FilingPageSchema()


def checked(render: Callable[[Any], dict[str, Any]], schema: Any, seen: list[str]) -> Callable[[Any], dict[str, Any]]:
    def render_and_compare(model: Any) -> dict[str, Any]:
        body = render(model)
        assert body == schema.dump(model), f"{render.__name__} differs from {type(schema).__name__}.dump"
        seen.append(render.__name__)
        return body

    return render_and_compare


@pytest.fixture(autouse=True)
def rendering_matches_the_schemas(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The bodies compared so far in this test (names of the render functions)."""
    seen: list[str] = []
    monkeypatch.setattr(routes, "filing_body", checked(rendering.filing_body, FILING_SCHEMA, seen))
    monkeypatch.setattr(routes, "page_body", checked(rendering.page_body, PAGE_SCHEMA, seen))
    yield seen
