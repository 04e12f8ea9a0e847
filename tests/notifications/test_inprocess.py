"""The embedded default (no REDIS_URL): the push runs in a thread of the web process, the same way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import _empty_tables
from tests.miniapp.test_filing_contact import make_contact
from tests.notifications.test_push import file_from_phone, outbox


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    application = make_app(redis_url=None)
    yield application
    _empty_tables(application.extensions["entryfiling"])


def test_push_without_redis_runs_in_process(enterprise, verified_user, subscribed_contact, phone, services):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, contact)
    [row] = outbox(services)
    services.dispatcher.wait(f"notification-{row.id}", timeout=30)
    assert [m["touser"] for m in phone.sent()] == [contact.openid]
    assert outbox(services)[0].state == "sent"
