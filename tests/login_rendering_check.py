"""Every mini-program login answer a test receives is also dumped by its schema, and must come out unchanged.

The login answer is rendered by hand (``miniapp_api/login/resources.py`` ``login_body``) for speed;
``MiniappTokenSchema`` stays its documentation. The route used to hand this same dict to the
schema's dump, so the answer is as it was exactly when the dump leaves the body as it is: no field
renamed, converted or left out. With this fixture active, each login answer of the mini-program
tests (first, returning and verified users) is compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from miniapp_api.login import resources
from miniapp_api.login.schemas import MiniappTokenSchema

TOKEN_SCHEMA = MiniappTokenSchema()


@pytest.fixture(autouse=True)
def login_rendering_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The login bodies compared so far in this test."""
    seen: list[dict[str, Any]] = []
    render = resources.login_body

    def render_and_compare(result: Any) -> dict[str, Any]:
        body = render(result)
        assert body == TOKEN_SCHEMA.dump(body), "login_body differs from MiniappTokenSchema.dump"
        seen.append(body)
        return body

    monkeypatch.setattr(resources, "login_body", render_and_compare)
    yield seen
