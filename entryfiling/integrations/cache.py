"""A brief cache of answers anyone may see (the public register): Redis when configured, shared by
every process; otherwise a small cache in this process's memory (the embedded default is one process)."""

from __future__ import annotations

import redis
from cachelib import BaseCache, RedisCache, SimpleCache

KEY_PREFIX = "entryfiling:cache:"


def make_cache(redis_url: str | None) -> BaseCache:
    if redis_url:
        return RedisCache(host=redis.Redis.from_url(redis_url), key_prefix=KEY_PREFIX)
    return SimpleCache(threshold=1000)
