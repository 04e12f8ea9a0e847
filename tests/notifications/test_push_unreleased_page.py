"""A push naming a page the released mini-program does not have (41030) is final: WeChat sent
nothing, the consent is kept for the next message, and the inbox still has the notice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select

from entryfiling.db.models import SubscriptionQuota
from jobs import runtime
from tests.conftest import _empty_tables
from tests.miniapp.test_filing_contact import make_contact
from tests.notifications.conftest import RESULT_TEMPLATE, SEND_PATH
from tests.notifications.test_push import file_from_phone, outbox


@pytest.fixture
def app(make_app: Any, redis_conn: Redis, redis_url: str) -> Iterator[Flask]:
    application = make_app(redis_url=redis_url, miniapp_filing_page="pages/filings/renamed")
    services = application.extensions["entryfiling"]
    runtime.configure(services)
    yield application
    runtime.configure(None)
    _empty_tables(services)


def test_a_page_not_in_the_released_build_is_41030_and_final(
    enterprise, verified_user, subscribed_contact, phone, worker, services
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    file_from_phone(enterprise, contact)
    worker.work()
    assert worker.retry_now() == 0
    assert phone.sent() == [] and len(phone.calls(SEND_PATH)) == 1
    [row] = outbox(services)
    assert (row.state, row.last_errcode, row.attempts) == ("not_pushed", 41030, 1)
    assert contact.get("/miniapp/v1/notifications").json["total"] == 1
    with services.uow() as uow:
        remaining = uow.session.scalar(
            select(SubscriptionQuota.remaining).where(SubscriptionQuota.template_id == RESULT_TEMPLATE)
        )
    assert remaining == 1
