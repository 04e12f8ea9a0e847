"""Settings from the environment, each with a safe embedded default.

The variable names are the deployment contract (SPEC.md): DATABASE_URL, REDIS_URL, STORAGE_DIR,
SECRET_KEY, ID_ENCRYPTION_KEY, CA_TRUST_BUNDLE, WECHAT_*, REGISTRY_API_BASE_URL. Dev secrets are
generated once and kept in the instance folder so restarts keep tokens and encrypted data valid.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

DEFAULT_INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"
DEV_WECHAT_PORT = 8701
# WeChat's accepted values of subscribeMessage.send ``miniprogram_state`` and ``lang``.
MINIPROGRAM_STATES = ("formal", "trial", "developer")
MESSAGE_LANGS = ("zh_CN", "en_US", "zh_HK", "zh_TW")
DEV_REGISTRY_PORT = 8702
MIN_AUDIT_RETENTION_DAYS = 180


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    storage_dir: Path
    secret_key: str
    id_encryption_key: str
    ca_trust_bundle: Path
    wechat_api_base_url: str
    wechat_appid: str
    wechat_secret: str
    registry_api_base_url: str
    token_ttl_seconds: int = 2 * 3600
    # s3://bucket/prefix: attachments in an S3-compatible object store instead of STORAGE_DIR.
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_addressing_style: str | None = None
    # "production" refuses to start without what production needs (a TrueType CJK letter font).
    environment: str = "development"
    letter_font: Path | None = None
    log_format: str = "text"
    log_level: str = "INFO"
    challenge_ttl_seconds: int = 300
    publicity_validity_days: int = 365
    # How many days before the publicity expires its extension (business 7) may be filed.
    publicity_extension_window_days: int = 90
    expiry_warning_days: int = 30
    max_request_bytes: int = 30 * 1024 * 1024
    login_attempts_per_minute: int = 30
    # Lockout: this many failed logins of one identity within the window lock it for the lockout
    # time; a source address is locked after its own (higher) number of failures.
    login_max_failures: int = 5
    login_failure_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 30 * 60
    login_max_failures_per_source: int = 20
    # How many reverse proxies in front of the app set X-Forwarded-For (0: trust none of it).
    trusted_proxy_hops: int = 0
    # A regulator session ends after this long without a request.
    regulator_idle_timeout_seconds: int = 30 * 60
    # Keys ID numbers were sealed with before ID_ENCRYPTION_KEY: still read during a rotation.
    id_encryption_previous_keys: tuple[str, ...] = ()
    # Audit rows are kept this long (等保 asks for at least six months), then `entryfiling audit prune` removes them.
    audit_retention_days: int = 365
    public_queries_per_minute: int = 120
    # How long an answer of the public register is reused (0: never).
    public_cache_seconds: int = 30
    # Memory per worker for the rendered records and filing answers kept per data version (0: none).
    answer_cache_mb: int = 32
    registry_timeout_seconds: float = 10.0
    registry_retries: int = 3
    registry_backoff_seconds: float = 0.5
    # How long an approval reuses an answer of the registry (0: never); errors and outages are never kept.
    registry_cache_seconds: int = 300
    # Mini-program: which real-name verification provider to use, and how long invitations last.
    identity_provider: str = "wechat_face"
    invitation_ttl_seconds: int = 72 * 3600
    # Subscribe-message templates (chosen in the mini-program console) and the page a notice opens.
    wechat_result_template_id: str = "dev-filing-result"
    wechat_reminder_template_id: str = "dev-expiry-reminder"
    miniapp_filing_page: str = "pages/filings/detail"
    # Which build of the mini-program a subscribe message opens (subscribeMessage.send
    # ``miniprogram_state``): formal 正式版, trial 体验版, developer 开发版.
    wechat_miniprogram_state: str = "formal"
    wechat_message_lang: str = "zh_CN"
    # The page a scanned invitation 小程序码 opens (wxacode.getUnlimited ``page``).
    miniapp_invitation_page: str = "pages/invitations/accept"
    miniapp_reminder_page: str = "pages/enterprise/index"
    # When RQ's cron scheduler (``entryfiling jobs cron``) runs the expiry reminders (server time).
    reminder_cron: str = "0 8 * * *"
    # Ages (on the submission date, from the ID number) a legal representative or responsible person may have.
    person_min_age: int = 18
    person_max_age: int = 70

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def __post_init__(self) -> None:
        if self.audit_retention_days < MIN_AUDIT_RETENTION_DAYS:
            raise ValueError(
                f"AUDIT_RETENTION_DAYS must be at least {MIN_AUDIT_RETENTION_DAYS} (got {self.audit_retention_days})"
            )
        if self.trusted_proxy_hops < 0:
            raise ValueError("TRUSTED_PROXY_HOPS must not be negative")

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)


def _instance_secret(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """A dev-only secret kept in the instance folder, created on first use."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def load_settings(env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    instance = Path(env.get("INSTANCE_PATH") or instance_path or DEFAULT_INSTANCE_PATH).resolve()
    instance.mkdir(parents=True, exist_ok=True)

    environment = (env.get("ENTRYFILING_ENV") or "development").strip().lower()

    def integer(name: str, default: int) -> int:
        raw = env.get(name)
        return int(raw) if raw else default

    return Settings(
        instance_path=instance,
        database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'entryfiling.sqlite3'}",
        redis_url=env.get("REDIS_URL") or None,
        storage_dir=Path(env.get("STORAGE_DIR") or instance / "attachments"),
        secret_key=env.get("SECRET_KEY") or _instance_secret(instance, "secret_key", lambda: secrets.token_urlsafe(48)),
        id_encryption_key=env.get("ID_ENCRYPTION_KEY")
        or _instance_secret(instance, "id_encryption_key", lambda: Fernet.generate_key().decode()),
        ca_trust_bundle=Path(env.get("CA_TRUST_BUNDLE") or instance / "dev-ca" / "ca.pem"),
        wechat_api_base_url=env.get("WECHAT_API_BASE_URL") or f"http://127.0.0.1:{DEV_WECHAT_PORT}",
        wechat_appid=env.get("WECHAT_APPID") or "wx0000000000dev000",
        wechat_secret=env.get("WECHAT_SECRET") or "dev-wechat-secret",
        registry_api_base_url=env.get("REGISTRY_API_BASE_URL") or f"http://127.0.0.1:{DEV_REGISTRY_PORT}",
        token_ttl_seconds=integer("TOKEN_TTL_SECONDS", 2 * 3600),
        storage_url=env.get("STORAGE_URL") or None,
        s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
        s3_region=env.get("S3_REGION") or None,
        s3_addressing_style=env.get("S3_ADDRESSING_STYLE") or None,
        environment=environment,
        letter_font=Path(env["LETTER_FONT"]) if env.get("LETTER_FONT") else None,
        # JSON lines in production (and under gunicorn's config); readable lines in development.
        log_format=(env.get("LOG_FORMAT") or ("json" if environment == "production" else "text")).strip().lower(),
        log_level=(env.get("LOG_LEVEL") or "INFO").strip().upper(),
        challenge_ttl_seconds=integer("CHALLENGE_TTL_SECONDS", 300),
        publicity_validity_days=integer("PUBLICITY_VALIDITY_DAYS", 365),
        publicity_extension_window_days=integer("PUBLICITY_EXTENSION_WINDOW_DAYS", 90),
        expiry_warning_days=integer("EXPIRY_WARNING_DAYS", 30),
        login_attempts_per_minute=integer("LOGIN_ATTEMPTS_PER_MINUTE", 30),
        login_max_failures=integer("LOGIN_MAX_FAILURES", 5),
        login_failure_window_seconds=integer("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60),
        login_lockout_seconds=integer("LOGIN_LOCKOUT_SECONDS", 30 * 60),
        login_max_failures_per_source=integer("LOGIN_MAX_FAILURES_PER_SOURCE", 20),
        trusted_proxy_hops=integer("TRUSTED_PROXY_HOPS", 0),
        regulator_idle_timeout_seconds=integer("REGULATOR_IDLE_TIMEOUT_SECONDS", 30 * 60),
        audit_retention_days=integer("AUDIT_RETENTION_DAYS", 365),
        id_encryption_previous_keys=tuple(
            k.strip() for k in (env.get("ID_ENCRYPTION_PREVIOUS_KEYS") or "").split(",") if k.strip()
        ),
        public_queries_per_minute=integer("PUBLIC_QUERIES_PER_MINUTE", 120),
        public_cache_seconds=integer("PUBLIC_CACHE_SECONDS", 30),
        answer_cache_mb=integer("ANSWER_CACHE_MB", 32),
        registry_timeout_seconds=float(env.get("REGISTRY_TIMEOUT_SECONDS") or 10.0),
        registry_retries=integer("REGISTRY_RETRIES", 3),
        registry_cache_seconds=integer("REGISTRY_CACHE_SECONDS", 300),
        identity_provider=env.get("IDENTITY_PROVIDER") or "wechat_face",
        invitation_ttl_seconds=integer("INVITATION_TTL_SECONDS", 72 * 3600),
        wechat_result_template_id=env.get("WECHAT_RESULT_TEMPLATE_ID") or "dev-filing-result",
        wechat_reminder_template_id=env.get("WECHAT_REMINDER_TEMPLATE_ID") or "dev-expiry-reminder",
        miniapp_filing_page=env.get("MINIAPP_FILING_PAGE") or "pages/filings/detail",
        miniapp_reminder_page=env.get("MINIAPP_REMINDER_PAGE") or "pages/enterprise/index",
        wechat_miniprogram_state=_one_of(
            "WECHAT_MINIPROGRAM_STATE", env.get("WECHAT_MINIPROGRAM_STATE") or "formal", MINIPROGRAM_STATES
        ),
        wechat_message_lang=_one_of("WECHAT_MESSAGE_LANG", env.get("WECHAT_MESSAGE_LANG") or "zh_CN", MESSAGE_LANGS),
        miniapp_invitation_page=env.get("MINIAPP_INVITATION_PAGE") or "pages/invitations/accept",
        reminder_cron=env.get("REMINDER_CRON") or "0 8 * * *",
        person_min_age=integer("PERSON_MIN_AGE", 18),
        person_max_age=integer("PERSON_MAX_AGE", 70),
    )


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """A setting WeChat would refuse is a startup error, not a failed push hours later."""
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value
