"""Reused registry answers: kept for the time asked, shared through Redis, never an outage or an error."""

from __future__ import annotations

from typing import Any

import pytest
from cachelib import SimpleCache

from devkit.emulators.registry import DEMO_ENTERPRISE_USCC, RegistryStandIn
from entryfiling.integrations.cache import make_cache
from entryfiling.integrations.registry import RegistryClient, RegistryNotFound, RegistryUnavailable
from tests.factories import make_uscc


class RecordingCache(SimpleCache):
    """A process cache that remembers how long each answer was to be kept."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[int | None] = []

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        self.timeouts.append(timeout)
        return bool(super().set(key, value, timeout))


class BrokenCache(SimpleCache):
    def get(self, key: str) -> Any:
        raise ConnectionError("cache down")

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        raise ConnectionError("cache down")


def client(stand_in: RegistryStandIn, answers: Any, seconds: int = 300, at: float = 1_800_000_000.0) -> RegistryClient:
    return RegistryClient(
        stand_in.url,
        retries=0,
        backoff=0.01,
        read_timeout=2.0,
        answers=answers,
        answers_seconds=seconds,
        clock=lambda: at,
    )


def test_an_answer_is_reused_for_the_seconds_asked_and_says_when_the_registry_gave_it(registry):
    cache = RecordingCache()
    first = client(registry, cache, seconds=120, at=1_800_000_000.0).qualifications(DEMO_ENTERPRISE_USCC)
    later = client(registry, cache, seconds=120, at=1_800_000_100.0)
    assert later.qualifications(DEMO_ENTERPRISE_USCC) == first
    assert registry.requests_seen("qualifications") == 1
    assert cache.timeouts == [120]
    assert later.oldest_answer == 1_800_000_000.0  # the time of the registry's answer, not of its reuse


def test_without_seconds_every_lookup_asks_the_registry(registry):
    cache = RecordingCache()
    for _ in range(2):
        client(registry, cache, seconds=0).qualifications(DEMO_ENTERPRISE_USCC)
    assert registry.requests_seen("qualifications") == 2 and cache.timeouts == []


def test_an_outage_or_an_error_is_never_kept(registry):
    cache = RecordingCache()
    registry.set_fault("error", status=503, times=1)
    with pytest.raises(RegistryUnavailable):
        client(registry, cache).qualifications(DEMO_ENTERPRISE_USCC)
    registry.set_fault("timeout", delay=5, times=1)
    with pytest.raises(RegistryUnavailable):
        RegistryClient(registry.url, retries=0, read_timeout=0.2, answers=cache, answers_seconds=300).qualifications(
            DEMO_ENTERPRISE_USCC
        )
    assert cache.timeouts == []
    assert client(registry, cache).qualifications(DEMO_ENTERPRISE_USCC)  # the next lookup asks, and gets it
    assert registry.requests_seen("qualifications") == 3 and cache.timeouts == [300]


def test_not_found_is_an_answer_and_is_kept_as_one(registry):
    cache = RecordingCache()
    unknown = make_uscc()
    for _ in range(2):
        with pytest.raises(RegistryNotFound):
            client(registry, cache).qualifications(unknown)
    assert registry.requests_seen("qualifications") == 1


def test_answers_are_shared_by_every_process_through_redis(registry, redis_url):
    first = client(registry, make_cache(redis_url), at=1_800_000_000.0).qualifications(DEMO_ENTERPRISE_USCC)
    other_process = client(registry, make_cache(redis_url), at=1_800_000_050.0)
    try:
        assert other_process.qualifications(DEMO_ENTERPRISE_USCC) == first
        assert registry.requests_seen("qualifications") == 1
        assert other_process.oldest_answer == 1_800_000_000.0
    finally:
        make_cache(redis_url).clear()


def test_the_cache_being_down_is_a_miss_not_an_error(registry):
    for _ in range(2):
        assert client(registry, BrokenCache()).qualifications(DEMO_ENTERPRISE_USCC)
    assert registry.requests_seen("qualifications") == 2
