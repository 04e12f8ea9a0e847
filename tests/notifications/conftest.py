"""Notification tests: the app as deployed with Redis (pushes and reminders go to RQ and run on a
real SimpleWorker), talking to the WeChat stand-in on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from handlers import regulators
from handlers.services import Services
from jobs import runtime
from jobs.queues import NOTIFY_QUEUE
from tests.conftest import EnterpriseLogin, _empty_tables, forget_shared_counters
from tests.jobs.conftest import jump_to_retries, redis_conn, redis_url, work
from tests.miniapp.conftest import (
    MiniappClient,
    Phone,
    miniapp_login,
    phone,
    settings,
    verified_user,
    verify,
    wechat_emulator,
)
from tests.miniapp.test_filing_contact import make_contact

__all__ = [
    "miniapp_login",
    "phone",
    "redis_conn",
    "redis_url",
    "settings",
    "verified_user",
    "verify",
    "wechat_emulator",
]

RESULT_TEMPLATE = "dev-filing-result"
REMINDER_TEMPLATE = "dev-expiry-reminder"
SEND_PATH = "/cgi-bin/message/subscribe/send"
REGULATOR_PASSWORD = "审核Reviewer2025"


@pytest.fixture
def app(make_app: Any, redis_conn: Redis, redis_url: str) -> Iterator[Flask]:
    forget_shared_counters(redis_url)
    application = make_app(redis_url=redis_url)
    services = application.extensions["entryfiling"]
    runtime.configure(services)  # the SimpleWorker runs jobs in this process, with these services
    yield application
    runtime.configure(None)
    _empty_tables(services)


class Worker:
    """Runs what is queued with a real RQ worker; lets retry waits pass on demand."""

    def __init__(self, connection: Redis) -> None:
        self.connection = connection

    def work(self) -> None:
        work(self.connection)

    def retry_now(self) -> int:
        return jump_to_retries(self.connection)

    def scheduled(self) -> int:
        return ScheduledJobRegistry(NOTIFY_QUEUE, connection=self.connection).count

    def failed(self) -> int:
        return FailedJobRegistry(NOTIFY_QUEUE, connection=self.connection).count


@pytest.fixture
def worker(redis_conn: Redis) -> Worker:
    return Worker(redis_conn)


@pytest.fixture
def subscribed_contact(
    enterprise: EnterpriseLogin, verified_user: Callable[..., MiniappClient], phone: Phone
) -> Callable[..., MiniappClient]:
    """A filing contact who accepted ``times`` subscribe messages of a template, on the phone
    (the stand-in) and reported to us."""

    def make(name: str = "赵报送", template: str = RESULT_TEMPLATE, times: int = 1, *, tell_wechat: bool = True) -> Any:
        contact = make_contact(enterprise, verified_user, name)
        accept(contact, phone, template, times, tell_wechat=tell_wechat)
        return contact

    return make


def accept(user: MiniappClient, phone: Phone, template: str, times: int = 1, *, tell_wechat: bool = True) -> None:
    for _ in range(times):
        if tell_wechat:
            phone.subscribe(user.openid, template)
        response = user.post("/miniapp/v1/subscriptions", json={"results": {template: "accept"}})
        assert response.status_code == 200, response.json


@pytest.fixture
def regulator(client: Any, services: Services) -> dict[str, str]:
    """A regulator account made as the CLI makes it, logged in through the API."""
    regulators.create_regulator(services, "reviewer.wang", "王审核", REGULATOR_PASSWORD)
    response = client.post("/api/v1/review/login", json={"username": "reviewer.wang", "password": REGULATOR_PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}
