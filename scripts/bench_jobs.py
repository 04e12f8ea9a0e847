"""The background-job part of the benchmark (``scripts/bench --sync-persons N``, ``--push-decisions N``).

Certificate sync: one sync of N persons run as one worker runs it, against the registry stand-in in
its own process answering each call after 5 ms: wall time, peak traced memory and the process's
peak resident set, at N/10 and N persons.

Decision → push: N regulator decisions on filings in manual review, at a steady rate, with one RQ
worker (``entryfiling jobs worker``) and the WeChat stand-in in their own processes; the latency of
each push is the time from the start of the decision's use case (its commit is inside it) to the
moment the stand-in received the subscribe message. Prints p50, p95 and the largest.
"""

from __future__ import annotations

import resource
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

RECIPIENTS = 20  # mini-program users the decisions go to (each with enough subscribe consents)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_for_worker(redis_url: str, seconds: float = 60) -> None:
    """Until an RQ worker has registered (decisions made before it listens would only queue)."""
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + seconds
    while not Worker.all(connection=connection):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no RQ worker registered within {seconds}s")
        time.sleep(0.2)


def seed_review_queue(services: Any, wechat_url: str, decisions: int) -> list[int]:
    """Filings in manual review, each submitted from the mini-program by one of RECIPIENTS users
    who accepted enough result messages (in our quota table and in the stand-in)."""
    from sqlalchemy import insert
    from stdnum.cn import uscc

    from entryfiling.db.models import Enterprise, Filing, SubscriptionQuota, WeChatUser

    now = datetime.now(UTC)
    template = services.settings.wechat_result_template_id
    http = requests.Session()
    with services.uow() as uow:
        session = uow.session
        enterprise_id = session.scalars(
            insert(Enterprise).returning(Enterprise.id),
            [
                {
                    "uscc": "91650100M77700001" + uscc.calc_check_digit("91650100M77700001"),
                    "name": "新疆推送测试建设工程有限公司",
                    "enterprise_type": "construction",
                    "filed_record": {},
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        ).one()
        openids = [f"o-push-bench-{n:03d}" for n in range(RECIPIENTS)]
        user_ids = session.scalars(
            insert(WeChatUser).returning(WeChatUser.id),
            [{"openid": openid, "created_at": now, "last_login_at": now} for openid in openids],
        ).all()
        per_user = decisions // RECIPIENTS + 1
        session.execute(
            insert(SubscriptionQuota),
            [
                {"wechat_user_id": uid, "template_id": template, "remaining": per_user, "updated_at": now}
                for uid in user_ids
            ],
        )
        filing_ids = session.scalars(
            insert(Filing).returning(Filing.id),
            [
                {
                    "enterprise_id": enterprise_id,
                    "business": "first_filing",
                    "enterprise_type": "construction",
                    "status": "manual_review",
                    "sections": {},
                    "version": 1,
                    "agreed": True,
                    "rule_results": [],
                    "reasons": [],
                    "created_by": {},
                    "submitted_by": {"kind": "wechat_user", "id": f"wechat:{user_ids[n % RECIPIENTS]}", "name": "推送"},
                    "created_at": now - timedelta(hours=1),
                    "updated_at": now,
                    "submitted_at": now,
                }
                for n in range(decisions)
            ],
        ).all()
        uow.commit()
    for openid in openids:
        for _ in range(per_user):
            http.post(
                f"{wechat_url}/__emulator__/subscribe", json={"openid": openid, "template_ids": [template]}, timeout=10
            ).raise_for_status()
    return list(filing_ids)


def measure_push_latency(services: Any, wechat_url: str, decisions: int, rate: float) -> dict[str, Any]:
    """Decide ``decisions`` filings at ``rate`` per second; wait for every push; latencies in ms."""
    from handlers import regulators
    from handlers.services import Actor

    filing_ids = seed_review_queue(services, wechat_url, decisions)
    account = regulators.create_regulator(services, "push-bench", "推送压测审核员", "push-bench-password-1")
    actor = Actor("regulator", f"regulator:{account['id']}", account["name"])
    http = requests.Session()
    already = len(http.get(f"{wechat_url}/__emulator__/sent", timeout=10).json()["sent"])
    started_at: dict[int, float] = {}
    began = time.monotonic()
    for n, filing_id in enumerate(filing_ids):
        pause = began + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        started_at[filing_id] = time.time()
        regulators.decide(services, actor, filing_id, "reject", "压测：材料不全，请补正后重新报送")
    deadline = time.monotonic() + 120 + decisions / 5
    received: dict[int, float] = {}
    while len(received) < decisions and time.monotonic() < deadline:
        for message in http.get(f"{wechat_url}/__emulator__/sent", timeout=10).json()["sent"][already:]:
            filing_id = int(parse_qs(urlparse(message["page"]).query)["filing_id"][0])
            received.setdefault(filing_id, message["received_at"])
        time.sleep(0.2)
    latencies = sorted(1000 * (received[f] - started_at[f]) for f in received)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "decisions": decisions,
        "rate_per_second": rate,
        "pushed": len(latencies),
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }
