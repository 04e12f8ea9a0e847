"""The hot read paths at two sizes side by side (``scripts/bench --bigdata 1000000``).

Generates two databases in the benchmark's throwaway PostgreSQL cluster with ``devkit.bigdata``
(COPY): 10,000 filings, and N filings (default 1,000,000 over 100,000 enterprises, 1,000,000 persons,
3,000,000 certificates), timing each. Then, against each size, the same bounded timing loop through
the app in-process (no HTTP server, so only the application and the database are measured): records
list, filing detail and three register searches, interleaved round by round, reporting p50 and p95
of each and the ratio of the large to the small size (the aim: within 2×), plus ``EXPLAIN ANALYZE``
of every statement each request runs at the large size.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

SMALL = 10_000
ROUNDS = 3
REQUESTS = 100  # per endpoint, size and round


def _database(topology: Any, name: str) -> str:
    import subprocess
    from urllib.parse import urlparse

    port = urlparse(topology.env["DATABASE_URL"].replace("+psycopg", "")).port
    subprocess.run(
        topology._as_postgres(
            str(topology.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name
        ),
        check=True,
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"


def _app(url: str, instance: Path) -> Any:
    from entryfiling.app import create_app
    from entryfiling.config import load_settings
    from entryfiling.db.session import upgrade_database

    upgrade_database(url)
    env = {
        "DATABASE_URL": url,
        "PUBLIC_CACHE_SECONDS": "0",  # the query, not the cache, is measured
        "ANSWER_CACHE_MB": "0",  # the same for records and detail (every request a cold read)
        "PUBLIC_QUERIES_PER_MINUTE": "1000000000",
        "LOG_LEVEL": "WARNING",  # no request log lines in the timings
    }
    return create_app(load_settings(env, instance_path=instance))


def _requests(services: Any, report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name → (path, bearer token): an enterprise in the middle of the data and its first filing."""
    from sqlalchemy import select

    from devkit import bigdata
    from entryfiling.db.models import Filing
    from handlers import tokens

    size = bigdata.Size(report["filings"])
    middle = report["first_ids"]["enterprise"] + size.enterprises // 2
    uscc, name = bigdata.enterprise_uscc(middle), bigdata.enterprise_name(middle)
    token = tokens.issue(
        services, tokens.ENTERPRISE, {"eid": middle, "uscc": uscc, "name": name, "cert": "1"}, subject=str(middle)
    )
    with services.uow() as uow:
        first_filing = uow.session.scalar(
            select(Filing.id).where(Filing.enterprise_id == middle, Filing.business == "first_filing")
        )
    return {
        "records": ("/api/v1/filings?page_size=20", token),
        "detail": (f"/api/v1/filings/{first_filing}", token),
        "register q=full name": (f"/api/v1/public/enterprises?q={quote(name)}", ""),
        "register q=建设": (f"/api/v1/public/enterprises?q={quote('建设')}", ""),
        "register uscc": (f"/api/v1/public/enterprises?uscc={uscc}", ""),
    }


def _timed(client: Any, path: str, token: str, count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(1000 * (time.perf_counter() - started))
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return times


def _explain(app: Any, path: str, token: str) -> str:
    """EXPLAIN ANALYZE of every statement one request runs, as it ran them."""

    services = app.extensions["entryfiling"]
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    with services.listening("before_cursor_execute", capture):
        _timed(app.test_client(), path, token, 1)
    plans = []
    raw = services.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in seen:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        raw.rollback()
    finally:
        raw.close()
    return "\n\n".join(plans)


def run_bigdata(topology: Any, work: Path, filings: int, results: Path) -> None:
    from devkit import bigdata

    instance = work / "instance"  # one ID-encryption key for both sizes
    apps, reports, paths = {}, {}, {}
    for label, size in (("small", SMALL), ("large", filings)):
        app = _app(_database(topology, f"bigdata_{label}"), instance)
        print(f"generating {size:,} filings …", flush=True)
        started = time.monotonic()
        reports[label] = bigdata.generate(app.extensions["entryfiling"], size, log=lambda line: print(line, flush=True))
        reports[label]["wall_seconds"] = round(time.monotonic() - started, 1)
        print(f"  {size:,} filings generated in {reports[label]['wall_seconds']:.0f}s", flush=True)
        apps[label], paths[label] = app, _requests(app.extensions["entryfiling"], reports[label])
    clients = {label: app.test_client() for label, app in apps.items()}
    timings: dict[str, dict[str, list[float]]] = {label: {name: [] for name in paths[label]} for label in apps}
    for label in apps:  # warm: imports, first connections, the database's caches
        for path, token in paths[label].values():
            _timed(clients[label], path, token, 20)
    for round_index in range(ROUNDS):
        for label in apps:
            for name, (path, token) in paths[label].items():
                timings[label][name] += _timed(clients[label], path, token, REQUESTS)
        print(f"  round {round_index + 1} of {ROUNDS} done", flush=True)
    rows = []
    for name in paths["small"]:
        small, large = timings["small"][name], timings["large"][name]
        p50s, p50l = statistics.median(small), statistics.median(large)
        p95s, p95l = statistics.quantiles(small, n=20)[18], statistics.quantiles(large, n=20)[18]
        rows.append(
            {
                "endpoint": name,
                "small_p50_ms": round(p50s, 2),
                "small_p95_ms": round(p95s, 2),
                "large_p50_ms": round(p50l, 2),
                "large_p95_ms": round(p95l, 2),
                "ratio_p50": round(p50l / p50s, 2),
                "within_2x": p50l <= 2 * p50s,
            }
        )
    print()
    print(f"{SMALL:,} vs {filings:,} filings, {ROUNDS}×{REQUESTS} requests each, in-process, PostgreSQL; ms")
    print("| request | 10k p50 | 10k p95 | large p50 | large p95 | ratio (p50) | within 2× |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['endpoint']} | {row['small_p50_ms']:.2f} | {row['small_p95_ms']:.2f} | {row['large_p50_ms']:.2f}"
            f" | {row['large_p95_ms']:.2f} | {row['ratio_p50']:.2f} | {'yes' if row['within_2x'] else 'NO'} |"
        )
    explained = {name: _explain(apps["large"], path, token) for name, (path, token) in paths["large"].items()}
    for name, plan in explained.items():
        print(f"\n### {name} at {filings:,} filings\n{plan}")
    results.write_text(
        json.dumps({"generated": reports, "requests": rows, "explain": explained}, ensure_ascii=False, indent=2)
    )
    print(f"\nwritten to {results}")
