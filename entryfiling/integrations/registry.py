"""Our client of the national construction market registry (全国建筑市场监管公共服务平台).

Every call has a connect and a read timeout; transient failures (connection refused or reset,
timeouts, 429 and 5xx answers) are retried a bounded number of times with exponential backoff;
what still fails becomes an ``ExternalServiceError`` whose message a user can read. Pages are
followed up to a fixed bound so a misbehaving server cannot keep us looping.

Connections are kept alive: a client made without a session of its own uses its thread's session
for the registry's address, so the lookups of one submit after another (and the calls of a sync)
reuse open connections instead of opening one per call — a TCP handshake and, on the registry's
side, a new connection handler every time. A ``requests.Session`` is not shared between threads,
hence one per thread; a forked process starts with none (its parent's sockets are not its own).

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

import requests
from cachelib import BaseCache

from entryfiling import messages as msg
from entryfiling import metrics
from entryfiling.domain.errors import ExternalServiceError

PAGE_SIZE = 50
MAX_PAGES = 40
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ANSWER_KEY_PREFIX = "registry:"

log = logging.getLogger(__name__)


_THREAD_SESSIONS = threading.local()


def _forget_thread_sessions() -> None:
    global _THREAD_SESSIONS
    _THREAD_SESSIONS = threading.local()


os.register_at_fork(after_in_child=_forget_thread_sessions)


def thread_session(base_url: str) -> requests.Session:
    """This thread's kept-alive session for the registry at ``base_url``."""
    sessions: dict[str, requests.Session] = _THREAD_SESSIONS.__dict__.setdefault("by_url", {})
    session = sessions.get(base_url)
    if session is None:
        session = sessions[base_url] = requests.Session()
    return session


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
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        answers: BaseCache | None = None,
        answers_seconds: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.session = session or thread_session(self.base_url)
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
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.Timeout:
                metrics.REGISTRY_FAILURES.labels(operation, "timeout").inc()
                last_problem = msg.REGISTRY_TIMEOUT
                continue
            except requests.RequestException:
                metrics.REGISTRY_FAILURES.labels(operation, "unreachable").inc()
                last_problem = msg.REGISTRY_UNREACHABLE
                continue
            finally:
                metrics.REGISTRY_LATENCY.labels(operation).observe(time.perf_counter() - started)
            if response.status_code not in (200, 404):
                metrics.REGISTRY_FAILURES.labels(operation, f"http_{response.status_code}").inc()
            if response.status_code in RETRY_STATUSES:
                last_problem = msg.REGISTRY_HTTP_ERROR.format(status=response.status_code)
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise ExternalServiceError(msg.REGISTRY_REFUSED.format(status=response.status_code))
            try:
                body = response.json()
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
