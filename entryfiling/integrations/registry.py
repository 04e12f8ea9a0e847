"""Our client of the national construction market registry (全国建筑市场监管公共服务平台).

Every call has a connect and a read timeout; transient failures (connection refused or reset,
timeouts, 429 and 5xx answers) are retried a bounded number of times with exponential backoff;
what still fails becomes an ``ExternalServiceError`` whose message a user can read. Pages are
followed up to a fixed bound so a misbehaving server cannot keep us looping.

Connections are kept alive: every client of a process for the registry's address shares one
urllib3 pool (thread-safe, unlike a ``requests.Session``), so the lookups of one submit after
another (and the calls of a sync) reuse open connections instead of opening one per call — a TCP
handshake and, on the registry's side, a new connection handler every time. A forked process
starts with no pool (its parent's sockets are not its own).

urllib3 rather than requests: a call through a ``requests.Session`` costs 0.64 ms of CPU, through
urllib3 (which requests is built on) 0.25 ms, against the stand-in over one kept connection —
requests merges settings, builds hooks and a cookie jar and scans the environment for proxies on
every call, none of which a client of one JSON API uses. What requests gave is kept: the proxy the
environment names for the registry's address (``HTTPS_PROXY``/``NO_PROXY``…) and the CA bundle
(``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``, else certifi's), settled when the pool is made; gzip
answers decoded; no redirect followed silently (a redirect is an answer this API never gives).

Answers can be kept a few minutes (``answers``: Redis when configured, shared by every process, else
this process's memory). The registry is an outside public service that rate-limits and slows down
at the very deadlines when everybody submits; a resubmit after a rejection, a second business of the
same enterprise, or a regulator re-opening a filing asks it the same questions again. An answer is
the registry's record as of when it answered, which is what the cross-check compares either way:
keeping it briefly changes how old the record may be (at most the TTL, and the approval records when
the registry answered: ``oldest_answer``), not what is compared. Only answers are kept (200 and 404);
a timeout, an unreachable registry, a 429/5xx or a malformed answer never is, so an outage still
sends the filing to a person and the next submit asks again. The cache failing is a miss, never an error.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import requests.utils
import urllib3
from cachelib import BaseCache
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from entryfiling import messages as msg
from entryfiling import metrics
from entryfiling.domain.errors import ExternalServiceError
from entryfiling.integrations.tls import verified_pool_options

PAGE_SIZE = 50
MAX_PAGES = 40
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ANSWER_KEY_PREFIX = "registry:"

log = logging.getLogger(__name__)


# Connections kept per registry address: the server workers' lookup threads and a sync's threads.
POOL_CONNECTIONS = 16
HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": "entryfiling-registry-client"}

_POOLS: dict[str, urllib3.PoolManager] = {}
_POOLS_LOCK = threading.Lock()


def _forget_pools() -> None:
    global _POOLS, _POOLS_LOCK
    _POOLS, _POOLS_LOCK = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_pools)


def registry_pool(base_url: str) -> urllib3.PoolManager:
    """This process's kept-alive connections to the registry at ``base_url``, shared by its threads."""
    pool = _POOLS.get(base_url)
    if pool is None:
        with _POOLS_LOCK:
            pool = _POOLS.get(base_url)
            if pool is None:
                pool = _POOLS[base_url] = _new_pool(base_url)
    return pool


def _new_pool(base_url: str) -> urllib3.PoolManager:
    """A pool as requests would have reached ``base_url``: through the environment's proxy for it
    (if any, ``NO_PROXY`` honoured) and verifying TLS against the environment's CA bundle."""
    options: dict[str, Any] = {"maxsize": POOL_CONNECTIONS, "headers": HEADERS, **verified_pool_options()}
    proxy = requests.utils.get_environ_proxies(base_url).get(base_url.split(":", 1)[0].lower())
    return urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)


class RegistryUnavailable(ExternalServiceError):
    """The registry could not be reached or kept failing: worth retrying the whole job later."""

    code = "registry_unavailable"


class RegistryNotFound(ExternalServiceError):
    code = "registry_not_found"


@dataclass(frozen=True)
class RegistryQualification:
    name: str
    certificate_number: str
    valid_until: str
    issuing_authority: str
    issued_on: str
    # The registry's own wording (有效, 暂停, 撤回, 注销…); empty when it does not say.
    status: str = ""


@dataclass(frozen=True)
class RegistryQualificationCertificate:
    holder_name: str
    holder_uscc: str
    qualifications: tuple[RegistryQualification, ...]


@dataclass(frozen=True)
class RegistryCertificate:
    certificate_type: str
    certificate_number: str
    specialty: str
    registered_enterprise_name: str
    registered_enterprise_uscc: str
    issued_on: str
    valid_until: str


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        pool: urllib3.PoolManager | None = None,
        sleep: Callable[[float], None] = time.sleep,
        answers: BaseCache | None = None,
        answers_seconds: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.pool = pool or registry_pool(self.base_url)
        self._sleep = sleep
        self._answers = answers if answers_seconds > 0 else None
        self._answers_seconds = answers_seconds
        self._clock = clock
        #: When the registry gave the oldest answer this client used (epoch seconds; None: no answer yet).
        self.oldest_answer: float | None = None

    # ------------------------------------------------------------------ public

    def qualifications(self, uscc: str) -> list[RegistryQualification]:
        """Every qualification registered for the enterprise; unknown enterprise → RegistryNotFound."""
        path = f"/api/enterprises/{quote(uscc, safe='')}/qualifications"
        items = self._all_pages(path, not_found=msg.REGISTRY_ENTERPRISE_NOT_FOUND.format(uscc=uscc))
        return [_qualification(item) for item in items]

    def qualification_certificate(self, number: str) -> RegistryQualificationCertificate | None:
        """Who holds a qualification certificate number and what it lists; None for a number the registry lacks."""
        path = f"/api/qualification-certificates/{quote(number, safe='')}"
        data = self._get(path, {}, not_found=None)
        if data is None:
            return None
        holder, items = data.get("enterprise"), data.get("qualifications")
        if not isinstance(holder, dict) or not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE)
        return RegistryQualificationCertificate(
            holder_name=_text(holder, "name"),
            holder_uscc=_text(holder, "uscc"),
            qualifications=tuple(_qualification(item) for item in items),
        )

    def certificates(self, id_number: str) -> list[RegistryCertificate]:
        """Every registered certificate of the person (none for a person the registry does not know)."""
        path = f"/api/persons/{quote(id_number, safe='')}/certificates"
        items = self._all_pages(path, not_found=None)
        result = []
        for item in items:
            enterprise = item.get("registered_enterprise") or {}
            if not isinstance(enterprise, dict):
                raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE)
            result.append(
                RegistryCertificate(
                    certificate_type=_text(item, "certificate_type"),
                    certificate_number=_text(item, "certificate_number"),
                    specialty=_text(item, "specialty"),
                    registered_enterprise_name=_text(enterprise, "name"),
                    registered_enterprise_uscc=_text(enterprise, "uscc"),
                    issued_on=_text(item, "issued_on"),
                    valid_until=_text(item, "valid_until"),
                )
            )
        return result

    # ------------------------------------------------------------------ plumbing

    def _all_pages(self, path: str, *, not_found: str | None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = self._get(path, {"page": page, "page_size": PAGE_SIZE}, not_found=not_found)
            if data is None:
                return []
            batch, total = _page_of(data)
            items.extend(batch)
            if not batch or len(items) >= total:
                return items
        raise ExternalServiceError(msg.REGISTRY_TOO_MANY_PAGES.format(pages=MAX_PAGES))

    def _get(self, path: str, params: dict[str, Any], *, not_found: str | None) -> dict[str, Any] | None:
        key = f"{ANSWER_KEY_PREFIX}{self.base_url}{path}?{urlencode(sorted(params.items()))}"
        kept = self._kept_answer(key)
        if kept is None:
            answer = self._ask(path, params)
            kept = {"found": answer is not None, "data": answer, "at": self._clock()}
            self._keep_answer(key, kept)
        at = float(kept["at"])
        self.oldest_answer = at if self.oldest_answer is None else min(self.oldest_answer, at)
        if not kept["found"]:
            if not_found is None:
                return None
            raise RegistryNotFound(not_found)
        data: dict[str, Any] = kept["data"]
        return data

    def _kept_answer(self, key: str) -> dict[str, Any] | None:
        if self._answers is None:
            return None
        try:
            kept = self._answers.get(key)
        except Exception:  # the cache down (Redis restarting) is a miss: the registry is asked
            log.warning("registry answer cache unavailable", exc_info=True)
            return None
        return kept if isinstance(kept, dict) else None

    def _keep_answer(self, key: str, kept: dict[str, Any]) -> None:
        if self._answers is None:
            return
        try:
            self._answers.set(key, kept, timeout=self._answers_seconds)
        except Exception:
            log.warning("registry answer cache unavailable", exc_info=True)

    def _ask(self, path: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The registry's answer: its data, None for 404; what is not an answer raises."""
        url = self.base_url + path
        operation = path.rsplit("/", 1)[-1]  # the resource's name, never the identifier in the path
        last_problem = ""
        for attempt in self._attempts():
            if attempt:
                self._sleep(self.backoff * (2 ** (attempt - 1)))
            started = time.perf_counter()
            try:
                # Retries are this loop's (with backoff and the user's message), not urllib3's.
                response = self.pool.request(
                    "GET", url, fields=params, timeout=self.timeout, retries=False, redirect=False
                )
            except NewConnectionError:  # refused or unresolvable (urllib3 files it under connect timeouts)
                metrics.REGISTRY_FAILURES.labels(operation, "unreachable").inc()
                last_problem = msg.REGISTRY_UNREACHABLE
                continue
            except Urllib3Timeout:
                metrics.REGISTRY_FAILURES.labels(operation, "timeout").inc()
                last_problem = msg.REGISTRY_TIMEOUT
                continue
            except HTTPError:  # reset, closed mid-answer, a broken proxy or TLS
                metrics.REGISTRY_FAILURES.labels(operation, "unreachable").inc()
                last_problem = msg.REGISTRY_UNREACHABLE
                continue
            finally:
                metrics.REGISTRY_LATENCY.labels(operation).observe(time.perf_counter() - started)
            status = response.status
            if status not in (200, 404):
                metrics.REGISTRY_FAILURES.labels(operation, f"http_{status}").inc()
            if status in RETRY_STATUSES:
                last_problem = msg.REGISTRY_HTTP_ERROR.format(status=status)
                continue
            if status == 404:
                return None
            if status != 200:
                raise ExternalServiceError(msg.REGISTRY_REFUSED.format(status=status))
            try:
                body = orjson.loads(response.data)
            except ValueError:
                raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE) from None
            if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
                raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE)
            data: dict[str, Any] = body["data"]
            return data
        raise RegistryUnavailable(msg.REGISTRY_GAVE_UP.format(attempts=self.retries + 1, problem=last_problem))

    def _attempts(self) -> Iterator[int]:
        return iter(range(self.retries + 1))


def _qualification(item: dict[str, Any]) -> RegistryQualification:
    return RegistryQualification(
        name=_text(item, "qualification_name"),
        certificate_number=_text(item, "certificate_number"),
        valid_until=_text(item, "valid_until"),
        issuing_authority=_text(item, "issuing_authority"),
        issued_on=_text(item, "issued_on"),
        status=_text(item, "status"),
    )


def _page_of(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    items, total = data.get("items"), data.get("total")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not isinstance(total, int):
        raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE)
    return items, total


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ExternalServiceError(msg.REGISTRY_BAD_RESPONSE)
    return str(value).strip()
