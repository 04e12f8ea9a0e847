"""Every guided answer an API test receives is also dumped by the schema, and the two must be equal.

The step-by-step answer (next, answer, back) is rendered by hand
(``entryfiling/http/filings/guided_rendering.py``) for speed; ``GuidedStepSchema`` stays its
documentation. With this fixture active, each guided view rendered during the API and mini-program
tests (fields, table rows, persons, options, attachments, the ready view with its links, the
"还有其他…吗？" question) is compared with ``GuidedStepSchema().dump`` of the same view.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from entryfiling.http.filings import guided_rendering, routes
from entryfiling.http.filings.schemas import GuidedStepSchema
from tests.rendering_check import checked

GUIDED_SCHEMA = GuidedStepSchema()


@pytest.fixture(autouse=True)
def guided_rendering_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The guided bodies compared so far in this test."""
    seen: list[str] = []
    monkeypatch.setattr(routes, "guided_body", checked(guided_rendering.guided_body, GUIDED_SCHEMA, seen))
    yield seen
