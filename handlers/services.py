"""What the use cases need from the outside, built once per app (or worker) from Settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol

from cachelib import BaseCache
from cryptography import x509
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from entryfiling.config import Settings
from entryfiling.db.drafts import DraftEditor, editing
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.rate_limits import DatabaseCounter
from entryfiling.db.session import make_engine, make_session_factory
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.filing import CHINA_TIME
from entryfiling.integrations.ca import load_trust_roots
from entryfiling.integrations.cache import make_cache
from entryfiling.integrations.id_cipher import IdCipher
from entryfiling.integrations.identity import IdentityVerifier, make_identity_verifier
from entryfiling.integrations.rate_limits import LimitsCounter, RateCounter
from entryfiling.integrations.registry import RegistryClient
from entryfiling.integrations.storage import AttachmentStorage, FileStorage
from entryfiling.integrations.wechat import WeChat


def make_storage(settings: Settings) -> AttachmentStorage:
    """The one place that chooses the attachment backend: ``STORAGE_URL`` (s3://…) wins over ``STORAGE_DIR``."""
    if settings.storage_url:
        # boto3 is loaded only where an object store is configured: a local-disk deployment never
        # pays for it. Not an import cycle.
        from entryfiling.integrations.object_storage import S3Storage

        return S3Storage.from_settings(settings)
    return FileStorage(settings.storage_dir)


def utcnow() -> datetime:
    return datetime.now(UTC)


class AnswerVersions(NamedTuple):
    """How often what the filing answers show has changed (answer_versions, moved by the database's
    triggers): the acting enterprise's filings, attachments and events, and the persons. Read by the
    session check's one statement, so the answer cache knows a hit without another statement."""

    enterprise: int
    persons: int


@dataclass(frozen=True)
class Actor:
    """Who acts: an enterprise logged in with its CA certificate, a person on the phone, the system."""

    kind: str
    id: str
    name: str
    enterprise_id: int | None = None
    certificate_uscc: str | None = None
    # The enterprise name in that CA certificate (for a filing contact: the one that invited them).
    certificate_name: str | None = None
    # Read with the session (enterprise tokens); None where the caller's enterprise is known later.
    answer_versions: AnswerVersions | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name}


SYSTEM = Actor(kind="system", id="system", name="系统自动审批")


class Dispatcher(Protocol):
    """Runs background jobs: on RQ when Redis is configured, in-process otherwise (jobs.dispatcher)."""

    def dispatch(self, kind: str, job_id: str) -> None: ...

    def retry_intervals(self, kind: str) -> tuple[int, ...]:
        """The waits before each retry of a job of this kind (the job runtime's policy)."""
        ...

    def is_alive(self, job_id: str) -> bool | None:
        """True: queued or running; False: the backend lost or failed it; None: cannot tell."""
        ...


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    cipher: IdCipher
    storage: AttachmentStorage
    clock: Callable[[], datetime] = utcnow
    dispatcher: Dispatcher | None = None
    _trust_roots: tuple[float, list[x509.Certificate]] | None = field(default=None, repr=False)
    _wechat: WeChat | None = field(default=None, repr=False)
    _identity: IdentityVerifier | None = field(default=None, repr=False)
    _rate_counters: dict[bool, RateCounter] = field(default_factory=dict, repr=False)
    _cache: BaseCache | None = field(default=None, repr=False)
    _read_sessions: sessionmaker[Session] | None = field(default=None, repr=False)
    _autocommit_engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            cipher=IdCipher(settings.id_encryption_key, settings.id_encryption_previous_keys),
            storage=make_storage(settings),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def reader(self) -> UnitOfWork:
        """A unit of work for use cases that only read. Its statements run outside a transaction: no
        BEGIN before them and no ROLLBACK after, two round trips fewer on every read request. Each
        statement sees what is committed when it runs, which is all a read view needs."""
        if self._read_sessions is None:
            self._read_sessions = make_session_factory(self._autocommit())
        return UnitOfWork(self._read_sessions)

    def read_connection(self) -> Connection:
        """A Core connection outside a transaction (as ``reader``) for the statements every request
        runs, such as the session check: no ORM Session to open, flush and close around them."""
        return self._autocommit().connect()

    def draft_editor(self) -> AbstractContextManager[DraftEditor]:
        """What a section save and a guided answer read and write a draft with, on a connection
        outside a transaction (``entryfiling.db.drafts``)."""
        return editing(self.read_connection(), self.engine)

    def read_row(self, read: DriverRead, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """A hot single-row read outside a transaction (as ``read_connection``), on the driver's own
        connection where that is cheaper (``DriverRead``)."""
        return read.one_or_none(self._autocommit(), params)

    def one_statement(self, statement: DriverRead, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """A statement that writes, and is a transaction by itself (its data-modifying CTEs commit
        together or not at all), run outside an explicit one as ``read_row`` runs a read: no BEGIN
        and no COMMIT round trip. The first row it returns, if any."""
        return statement.one_or_none(self._autocommit(), params)

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine statements run on: ``engine``, and on PostgreSQL the pool of connections kept
        outside a transaction (``read_connection``). Whatever watches statements listens on each."""
        autocommit = self._autocommit()
        return (self.engine,) if autocommit.pool is self.engine.pool else (self.engine, autocommit)

    @contextmanager
    def listening(self, name: str, listener: Callable[..., None]) -> Iterator[None]:
        """``listener`` on the ``name`` event (``before_cursor_execute``, ``begin``…) of every engine,
        for as long as the block runs: what counts or watches statements (tests, the benchmark)."""
        for engine in self.engines:
            event.listen(engine, name, listener)
        try:
            yield
        finally:
            for engine in self.engines:
                event.remove(engine, name, listener)

    def dispose(self) -> None:
        """Close every pooled connection (the end of a test, a process about to fork)."""
        for engine in self.engines:
            engine.dispose()

    def _autocommit(self) -> Engine:
        if self._autocommit_engine is None:
            if self.engine.dialect.name == "postgresql":
                # A pool of its own, its connections made in AUTOCOMMIT and kept so: on the engine's
                # pool each checkout switched a connection out of its transaction mode and each
                # return switched it back, a twentieth of a section save's CPU.
                url = self.engine.url.render_as_string(hide_password=False)
                self._autocommit_engine = make_engine(url, autocommit=True)
            else:
                self._autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._autocommit_engine

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(CHINA_TIME).date()

    def registry(self, *, reuse_answers: bool = False) -> RegistryClient:
        """A registry client; with ``reuse_answers`` (the approval's cross-checks) it reuses the
        registry's answers for ``REGISTRY_CACHE_SECONDS`` (why: ``entryfiling.integrations.registry``),
        without (the certificate and qualification syncs) it asks every time."""
        return RegistryClient(
            self.settings.registry_api_base_url,
            read_timeout=self.settings.registry_timeout_seconds,
            connect_timeout=min(3.0, self.settings.registry_timeout_seconds),
            retries=self.settings.registry_retries,
            backoff=self.settings.registry_backoff_seconds,
            answers=self.cache() if reuse_answers and self.settings.registry_cache_seconds > 0 else None,
            answers_seconds=self.settings.registry_cache_seconds if reuse_answers else 0,
        )

    def trust_roots(self) -> list[x509.Certificate]:
        """Trusted CA roots, re-read when the bundle file changes (roots are rotated without restarts)."""
        path = self.settings.ca_trust_bundle
        mtime = path.stat().st_mtime if path.exists() else -1.0
        if self._trust_roots is None or self._trust_roots[0] != mtime:
            self._trust_roots = (mtime, load_trust_roots(path))
        return self._trust_roots[1]

    def wechat(self) -> WeChat:
        """The WeChat client (entryfiling.integrations.wechat.WeChat), made on first use."""
        if self._wechat is None:
            self._wechat = WeChat.from_settings(self.settings, self.session_factory, self.now)
        return self._wechat

    def rate_counter(self, *, read_path: bool = False) -> RateCounter:
        """Redis when configured; else the database, or this process's memory for read paths."""
        kind = bool(read_path and not self.settings.redis_url)
        if kind not in self._rate_counters:
            if self.settings.redis_url:
                self._rate_counters[kind] = LimitsCounter.redis(self.settings.redis_url)
            elif read_path:
                self._rate_counters[kind] = LimitsCounter.memory()
            else:
                self._rate_counters[kind] = DatabaseCounter(self.session_factory, self.now)
        return self._rate_counters[kind]

    def cache(self) -> BaseCache:
        """Brief caches of public answers: Redis when configured, else this process's memory."""
        if self._cache is None:
            self._cache = make_cache(self.settings.redis_url)
        return self._cache

    def identity_verifier(self) -> IdentityVerifier:
        """The configured real-name verification provider (IDENTITY_PROVIDER), made on first use."""
        if self._identity is None:
            self._identity = make_identity_verifier(self.settings.identity_provider, self)
        return self._identity
