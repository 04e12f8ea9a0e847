"""A full run as deployed (Redis, RQ worker, WeChat stand-in): what the logs and metrics show.

The logs of the whole run are read back as the JSON lines production writes and scanned for what
must never be there: ID numbers, bearer tokens, WeChat session keys, access tokens.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from stdnum.cn import ric

from entryfiling.ops.logs import JsonFormatter, RedactingFilter
from tests.miniapp.test_filing_contact import make_contact
from tests.notifications.test_push import file_from_phone

ID_NUMBER_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture
def production_log() -> Iterator[io.StringIO]:
    """Every log record of the test, formatted as production formats it (INFO and above)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _samples(client) -> dict[tuple[str, frozenset], float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_logs_of_a_full_run_name_requests_and_never_hold_secrets(
    enterprise, verified_user, subscribed_contact, phone, worker, client, production_log
):
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    filing = file_from_phone(enterprise, contact)
    worker.work()
    assert filing["status"] == "approved" and len(phone.sent()) == 1
    client.get("/api/v1/filings", headers={**enterprise.headers, "X-Request-ID": "edge-7f3a"})

    text = production_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line.get("logger") == "entryfiling.request"]
    assert requests, "one line per request"
    assert all(line["request_id"] and line["route"] and line["outcome"] for line in requests)
    submit = next(line for line in requests if line["route"].endswith("/submit"))
    assert submit["status"] == 200 and submit["outcome"] == "ok" and submit["actor"] == f"wechat_user:{contact.user_id}"
    listed = next(line for line in requests if line["request_id"] == "edge-7f3a")
    assert listed["route"] == "/api/v1/filings" and listed["actor"] == f"enterprise:{enterprise.id}"

    secrets = [enterprise.token, contact.token, *phone.session_keys()]
    assert all(secret not in text for secret in secrets)
    assert not [m for m in ID_NUMBER_LIKE.findall(text) if ric.is_valid(m)], "an ID number reached the logs"
    assert not re.search(r"access_token=(?!\*\*\*)", text)


def test_request_ids_are_taken_from_the_proxy_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})
    assert given.headers["X-Request-ID"] == "proxy-abc.123"
    made = client.get("/healthz", headers={"X-Request-ID": 'bad id {"x": 1}' + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    assert client.get("/healthz").headers["X-Request-ID"] != made.headers["X-Request-ID"]


def test_metrics_count_requests_filings_jobs_pushes_and_queues(
    enterprise, verified_user, subscribed_contact, phone, worker, client
):
    before = _samples(client)
    contact = subscribed_contact("赵报送")
    make_contact(enterprise, verified_user, "钱技术", role="employee")
    filing = file_from_phone(enterprise, contact)

    queued = _samples(client)
    assert _value(queued, "entryfiling_queue_depth", queue="notifications") == 1
    worker.work()
    after = _samples(client)

    assert filing["status"] == "approved"

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("entryfiling_filings_total", business="first_filing", event="submitted") == 1
    assert grew("entryfiling_filings_total", business="first_filing", event="approved") == 1
    assert grew("entryfiling_wechat_push_total", errcode="0") == 1
    assert grew("entryfiling_job_attempts_total", queue="notifications", job="push_notification", outcome="done") == 1
    assert _value(after, "entryfiling_queue_depth", queue="notifications") == 0
    assert _value(after, "entryfiling_queue_jobs", queue="notifications", state="finished") == 1
    assert _value(after, "entryfiling_redis_up") == 1
    submit_route = "/miniapp/v1/enterprises/<int:enterprise_id>/filings/<int:filing_id>/submit"
    assert grew("entryfiling_http_requests_total", route=submit_route, method="POST", status="200") == 1
    latency = {"route": submit_route, "method": "POST", "status": "200"}
    assert grew("entryfiling_http_request_duration_seconds_count", **latency) == 1
