"""Smoke of the production topology on loopback, with real processes (run by ``deploy/smoke``).

Starts gunicorn (2 workers, deploy/gunicorn.conf.py), an RQ worker with its scheduler, Redis, moto's
S3 server, and the WeChat and registry stand-ins; uses the PostgreSQL server named by
SMOKE_DATABASE_URL (its own new database, dropped afterwards), or a SQLite file when unset. Then,
through HTTP only: a filing contact on the phone subscribes to results, the enterprise files a
whole first filing with its attachments landing in the bucket, the push reaches the WeChat
stand-in, a registry sync is done by the worker, /readyz is green, the metrics show all of it, and
/readyz turns 503 naming Redis once Redis is stopped. Everything it started is stopped on exit.

Redis is started here rather than borrowed, because stopping it is part of the smoke. Every wait is
bounded; the whole run is cut off after SMOKE_TIMEOUT seconds (default 300).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import psycopg
import requests
from botocore.exceptions import BotoCoreError
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families
from stdnum.cn import ric

from devkit.dev_ca import sign_nonce
from devkit.tryout import run_first_filing

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULT_TEMPLATE = "dev-filing-result"
DEMO_USCC = "91340100MA2N0DT108"
BUCKET = "entryfiling-smoke"


class SmokeFailed(Exception):
    pass


def say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Poll ``check`` until it returns something truthy; give up after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (requests.RequestException, OSError, BotoCoreError) as error:
            last = error
        time.sleep(interval)
    raise SmokeFailed(f"gave up waiting for {what} after {timeout:.0f}s (last: {last!r})")


class Processes:
    """Every process the smoke starts, each in its own session, stopped by its pid at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        say(f"started {name} (pid {process.pid})")
        return process

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise SmokeFailed(f"{name} exited with {process.returncode}")

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)

    def tail(self, lines: int = 25) -> None:
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            print(f"----- {log.name} (last {len(text)} lines)", file=sys.stderr)
            print("\n".join(text), file=sys.stderr)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def metric(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, lab), v in found.items() if n == name and wanted <= set(lab))


def ok(response: requests.Response) -> requests.Response:
    """The response, or the smoke fails with what the service answered."""
    if response.status_code >= 400:
        raise SmokeFailed(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:500]}")
    return response


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailed(what)
    say(f"ok: {what}")


class Database:
    """A new database on the given PostgreSQL server (dropped afterwards), or a SQLite file."""

    def __init__(self, server_url: str | None, work: Path) -> None:
        self.server_url = server_url
        self.name = f"entryfiling_smoke_{uuid.uuid4().hex[:8]}"
        self.url = f"sqlite:///{work / 'smoke.sqlite3'}"
        if server_url:
            base, _, _db = server_url.rpartition("/")
            self.url = f"{base}/{self.name}"

    def _admin(self, sql: str) -> None:
        assert self.server_url
        conninfo = self.server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> None:
        if self.server_url:
            self._admin(f'CREATE DATABASE "{self.name}"')
            say(f"database {self.name} created")

    def drop(self) -> None:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def valid_id_number() -> str:
    body = f"65010219900101{uuid.uuid4().int % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def run(work: Path, processes: Processes, database: Database) -> None:
    ports = {name: free_port() for name in ("web", "worker_metrics", "redis", "s3", "wechat", "registry")}
    web = f"http://127.0.0.1:{ports['web']}"
    wechat = f"http://127.0.0.1:{ports['wechat']}"
    s3 = f"http://127.0.0.1:{ports['s3']}"
    redis_url = f"redis://127.0.0.1:{ports['redis']}/0"

    processes.start(
        "redis",
        [
            "redis-server",
            "--port",
            str(ports["redis"]),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory-policy",
            "noeviction",
            "--dir",
            str(work),
        ],
        dict(os.environ),
    )
    processes.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(ports["s3"])], dict(os.environ))
    env = {
        **os.environ,
        "ENTRYFILING_ENV": "production",
        "INSTANCE_PATH": str(work / "instance"),
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "STORAGE_URL": f"s3://{BUCKET}/attachments",
        "S3_ENDPOINT_URL": s3,
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "smoke-access-key",
        "AWS_SECRET_ACCESS_KEY": "smoke-secret-key",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CA_TRUST_BUNDLE": str(work / "dev-ca" / "ca.pem"),
        "WECHAT_API_BASE_URL": wechat,
        "REGISTRY_API_BASE_URL": f"http://127.0.0.1:{ports['registry']}",
        "LOG_FORMAT": "json",
    }
    for noisy in ("PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY", "GUNICORN_BIND"):
        env.pop(noisy, None)
    processes.start("wechat", [str(BIN / "entryfiling"), "emulators", "wechat", "--port", str(ports["wechat"])], env)
    processes.start(
        "registry", [str(BIN / "entryfiling"), "emulators", "registry", "--port", str(ports["registry"])], env
    )

    database.create()
    s3_client = boto3.client(
        "s3", endpoint_url=s3, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    wait_for("the S3 stand-in", lambda: s3_client.list_buckets() is not None)
    s3_client.create_bucket(Bucket=BUCKET)
    subprocess.run([str(BIN / "entryfiling"), "db", "upgrade"], cwd=REPO, env=env, check=True, timeout=120)
    subprocess.run(
        [str(BIN / "entryfiling"), "demo"], cwd=REPO, env=env, check=True, timeout=120, stdout=subprocess.DEVNULL
    )

    web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics-web")}
    processes.start(
        "gunicorn",
        [
            str(BIN / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{ports['web']}",
            "wsgi:app",
        ],
        web_env,
    )
    worker_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics-worker")}
    processes.start(
        "worker",
        [
            str(BIN / "entryfiling"),
            "jobs",
            "worker",
            "--metrics-host",
            "127.0.0.1",
            "--metrics-port",
            str(ports["worker_metrics"]),
        ],
        worker_env,
    )
    http = requests.Session()
    wait_for("gunicorn", lambda: http.get(f"{web}/healthz", timeout=2).status_code == 200, timeout=60)
    ready = wait_for("/readyz green", lambda: (r := http.get(f"{web}/readyz", timeout=5)).ok and r, timeout=30)
    expect(
        ready.json()["checks"] == dict.fromkeys(("database", "redis", "storage", "trust_bundle"), "ok"),
        "/readyz green: database, redis, storage, trust bundle",
    )
    processes.check_alive()

    # A filing contact on the phone: WeChat login, 人脸核身, accepts the enterprise's invitation,
    # consents to one result message.
    enterprise_token, enterprise_id = login_enterprise(http, web, work)
    contact = phone_contact(http, web, wechat, enterprise_token)

    # The whole first filing through HTTP, with its scans and the signed letter.
    cert = work / "dev-ca" / "enterprises" / f"{DEMO_USCC}.pem"
    key = work / "dev-ca" / "enterprises" / f"{DEMO_USCC}.key"
    result = run_first_filing(web, cert, key, lambda line: None)
    expect(result["status"] == "approved", f"first filing {result['reference']} approved")
    attachments = {a["sha256"] for s in result["sections"] for a in s["attachments"]}
    attachments |= {a["sha256"] for a in result.get("submission_attachments", [])}
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    stored = {k.rsplit("/", 1)[-1] for k in keys if k.startswith(f"attachments/{enterprise_id}/{result['id']}/")}
    expect(bool(attachments) and attachments <= stored, f"{len(keys)} attachment objects listed in the bucket")

    sent = wait_for(
        "the push at the WeChat stand-in",
        lambda: [
            m for m in http.get(f"{wechat}/__emulator__/sent", timeout=5).json()["sent"] if m["touser"] == contact
        ],
        timeout=60,
    )
    expect(sent[0]["template_id"] == RESULT_TEMPLATE, "the result was pushed to the contact's WeChat")

    auth = {"Authorization": f"Bearer {enterprise_token}"}
    job = http.post(f"{web}/api/v1/sync/certificates", json={}, headers=auth, timeout=10)
    expect(job.status_code == 202, "certificate sync accepted (202)")
    done = wait_for(
        "the sync job",
        lambda: (
            (j := http.get(f"{web}/api/v1/jobs/{job.json()['id']}", headers=auth, timeout=5).json())["status"]
            in ("finished", "failed")
            and j
        ),
        timeout=90,
    )
    expect(done["status"] == "finished", "registry sync done by the worker")

    web_metrics = samples(http.get(f"{web}/metrics", timeout=10).text)
    expect(
        metric(web_metrics, "entryfiling_filings_total", business="first_filing", event="approved") >= 1,
        "web /metrics: first filing approved",
    )
    expect(
        metric(web_metrics, "entryfiling_http_requests_total", status="201") >= 1,
        "web /metrics: requests by route and status",
    )
    expect(
        metric(web_metrics, "entryfiling_queue_jobs", queue="registry-sync", state="finished") >= 1,
        "web /metrics: registry-sync job finished",
    )
    expect(
        metric(web_metrics, "entryfiling_queue_jobs", queue="notifications", state="finished") >= 1,
        "web /metrics: notification job finished",
    )
    worker_metrics = samples(http.get(f"http://127.0.0.1:{ports['worker_metrics']}/metrics", timeout=10).text)
    expect(
        metric(worker_metrics, "entryfiling_wechat_push_total", errcode="0") >= 1,
        "worker /metrics: WeChat push delivered (errcode 0)",
    )
    expect(
        metric(worker_metrics, "entryfiling_job_attempts_total", queue="registry-sync", outcome="done") >= 1,
        "worker /metrics: sync job attempt done",
    )
    expect(
        metric(worker_metrics, "entryfiling_registry_request_duration_seconds_count") >= 1,
        "worker /metrics: registry call latency",
    )

    processes.stop("redis")
    # (a Response is falsy when it is an error, hence the tuple)
    (red,) = wait_for("/readyz red", lambda: (r := http.get(f"{web}/readyz", timeout=10)).status_code == 503 and (r,))
    expect(red.json()["failing"] == ["redis"], f"/readyz 503 without Redis: {red.json()['detail']}")
    web_log = (processes.logs / "gunicorn.log").read_text(errors="replace")
    expect(
        '"logger": "gunicorn.access"' in web_log and '"logger": "entryfiling.request"' in web_log,
        "gunicorn and the app log JSON lines",
    )
    expect(enterprise_token not in web_log, "no token in the web logs")


def login_enterprise(http: requests.Session, web: str, work: Path) -> tuple[str, int]:
    cert = work / "dev-ca" / "enterprises" / f"{DEMO_USCC}.pem"
    key = work / "dev-ca" / "enterprises" / f"{DEMO_USCC}.key"
    nonce = http.post(f"{web}/api/v1/auth/challenge", timeout=10).json()["nonce"]
    body = {"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(key, nonce)}
    response = http.post(f"{web}/api/v1/auth/login", json=body, timeout=10)
    ok(response)
    return str(response.json()["access_token"]), int(response.json()["enterprise"]["id"])


def phone_contact(http: requests.Session, web: str, wechat: str, enterprise_token: str) -> str:
    """A verified filing contact of the demo enterprise with one result message consented; its openid."""
    login = http.post(f"{wechat}/__emulator__/login", json={}, timeout=5).json()
    session = http.post(f"{web}/miniapp/v1/login", json={"code": login["code"]}, timeout=10)
    ok(session)
    phone = {"Authorization": f"Bearer {session.json()['access_token']}"}
    started = http.post(
        f"{web}/miniapp/v1/identity/verifications",
        json={"name": "赵报送", "id_number": valid_id_number()},
        headers=phone,
        timeout=10,
    )
    ok(started)
    verify_id = started.json()["verify_id"]
    http.post(f"{wechat}/__emulator__/facial-verify", json={"verify_id": verify_id, "verify_ret": 10000}, timeout=5)
    ok(http.post(f"{web}/miniapp/v1/identity/verifications/{verify_id}/confirm", headers=phone, timeout=10))
    code = ok(
        http.post(
            f"{web}/api/v1/invitations",
            json={"role": "filing_contact"},
            headers={"Authorization": f"Bearer {enterprise_token}"},
            timeout=10,
        )
    ).json()["code"]
    accepted = http.post(f"{web}/miniapp/v1/invitations/accept", json={"code": code}, headers=phone, timeout=10)
    ok(accepted)
    http.post(
        f"{wechat}/__emulator__/subscribe",
        json={"openid": login["openid"], "template_ids": [RESULT_TEMPLATE]},
        timeout=5,
    )
    subscribed = http.post(
        f"{web}/miniapp/v1/subscriptions", json={"results": {RESULT_TEMPLATE: "accept"}}, headers=phone, timeout=10
    )
    ok(subscribed)
    say("filing contact verified, invited and subscribed on the phone")
    return str(login["openid"])


def main() -> int:
    timeout = int(os.environ.get("SMOKE_TIMEOUT") or 300)

    def out_of_time(_signum: int, _frame: Any) -> None:
        raise SmokeFailed(f"the smoke took longer than {timeout}s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SmokeFailed("terminated")))
    signal.alarm(timeout)
    work = Path(tempfile.mkdtemp(prefix="entryfiling-smoke."))
    processes = Processes(work)
    database = Database(os.environ.get("SMOKE_DATABASE_URL") or None, work)
    started = time.monotonic()
    try:
        run(work, processes, database)
    except Exception as error:  # whatever went wrong, show it with the processes' logs
        print(f"smoke: FAILED: {error!r}", file=sys.stderr)
        if not isinstance(error, SmokeFailed):
            traceback.print_exc()
        processes.tail()
        return 1
    finally:
        signal.alarm(0)
        processes.stop_all()
        try:
            database.drop()
        except Exception as error:  # a failed clean-up must not hide the smoke's verdict
            print(f"smoke: could not drop {database.name}: {error}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    say(f"passed in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
