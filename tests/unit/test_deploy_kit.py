"""The deployment files agree with the code: known settings only, the processes all there, JSON logs."""

from __future__ import annotations

import inspect
import json
import logging
import re
import runpy
from pathlib import Path

import yaml
from gunicorn.glogging import SafeAtoms

from entryfiling import config
from entryfiling.ops.logs import GunicornAccessFormatter, RedactingFilter

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Read by gunicorn.conf.py, boto3, compose itself, or the proxy-trust setting.
DEPLOYMENT_ONLY = {
    "WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS",
    "FORWARDED_ALLOW_IPS", "PROMETHEUS_MULTIPROC_DIR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "POSTGRES_PASSWORD", "REDIS_PASSWORD", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_BUCKET",
    "CA_TRUST_BUNDLE_FILE", "WORKER_METRICS_PORT", "WORKER_METRICS_HOST",
}  # fmt: skip


def _settings_read_by_the_app() -> set[str]:
    return set(re.findall(r'(?:env\.get\(|env\[|integer\()"([A-Z0-9_]+)"', inspect.getsource(config)))


def test_every_variable_in_the_samples_is_one_the_deployment_reads():
    known = _settings_read_by_the_app() | DEPLOYMENT_ONLY
    example = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.M)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    in_compose = {name for service in compose["services"].values() for name in (service.get("environment") or {})}
    units = re.findall(r"^Environment=([A-Z0-9_]+)=", "".join(p.read_text() for p in DEPLOY.glob("systemd/*")), re.M)
    unknown = (set(example) | {n for n in in_compose if not n.startswith(("MINIO_", "POSTGRES_"))} | set(units)) - known
    assert not unknown, f"not read by anything: {sorted(unknown)}"
    assert {"STORAGE_URL", "S3_ENDPOINT_URL", "ENTRYFILING_ENV", "LETTER_FONT", "LOG_FORMAT", "TRUSTED_PROXY_HOPS"} <= (
        _settings_read_by_the_app()
    )


def test_compose_runs_every_process_of_the_topology():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert {"web", "worker", "cron", "migrate", "postgres", "redis", "minio", "nginx"} <= set(services)
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert services["worker"]["command"][:3] == ["entryfiling", "jobs", "worker"]
    assert services["cron"]["command"] == ["entryfiling", "jobs", "cron"]
    redis_conf = (DEPLOY / "redis.conf").read_text()
    assert re.search(r"^maxmemory-policy noeviction$", redis_conf, re.M)
    assert re.search(r"^appendonly yes$", redis_conf, re.M)


def test_gunicorn_access_lines_are_json_without_query_strings_or_credentials():
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["logconfig_dict"]["formatters"]["access"]["()"] == "entryfiling.ops.logs.GunicornAccessFormatter"
    atoms = {
        "h": "10.0.0.9", "m": "GET", "U": "/api/v1/filings", "q": "status=draft&token=abc", "s": "200", "B": "512",
        "D": "12345", "a": "curl/8", "{authorization}i": "Bearer secret.token.value", "{x-request-id}o": "rid-1",
    }  # fmt: skip
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s"', (SafeAtoms(atoms),), None)
    RedactingFilter().filter(record)
    line = json.loads(GunicornAccessFormatter().format(record))
    assert line["path"] == "/api/v1/filings" and line["status"] == 200 and line["request_id"] == "rid-1"
    assert line["duration_ms"] == 12.3 and line["logger"] == "gunicorn.access"
    assert "secret" not in json.dumps(line) and "token=abc" not in json.dumps(line)
