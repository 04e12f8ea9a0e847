"""The records list and the filing detail of an enterprise, kept rendered per data version.

An enterprise asks for the same records page and the same filing again and again while it files
(every screen of the phone and the browser reloads them); rendering one costs several statements
and milliseconds, a kept one none of them. What makes a kept answer correct is the version it is
kept under, not a time limit:

- The database moves ``answer_versions`` (migration 0015_answer_versions) by triggers, in the same
  transaction as every INSERT, UPDATE or DELETE of a row these answers show: filings, their
  attachments and events (the enterprise's version) and persons (the persons' version). No write
  path — ORM, Core, jobs, the review API, a script — can change a shown row without moving it.
- The session check reads the versions in its one statement (``tokens.read_with_versions``), so
  they are known before any data is read and a kept answer costs no statement besides it.
- The key is (route — which names the API and so the links' routes —, the links' base, the
  enterprise, its version, the normalized arguments) and for the detail also the persons' version
  and today's date: a section's expiry warnings depend on the day, nothing else in them on the clock.

Why this holds with several workers and READ COMMITTED: the version is read first, by its own
statement, then the data by later ones, each seeing everything committed before it started. A
change commits its rows and its version bump atomically. So data read after version v was read
contains every change up to v (and maybe later ones, whose bump the next request will see): an
answer kept under v is never older than v, and a request that reads v is allowed to get it. Once a
change commits, every later request reads a newer version, misses, and renders afresh, on every
worker, because each worker's cache is keyed the same way. Nothing is ever invalidated in place,
so there is no race between a write and an eviction; old versions simply age out of the LRU.

The records list also answers ``If-None-Match`` with 304: its ETag is derived from the key, so a
phone that has the current page gets no body at all. The detail keeps its ETag: it is the filing's
version that ``If-Match`` of a save must name (a key-derived tag there would refuse every save).
Only 200 answers are kept (errors are raised before anything is stored). Memory is bounded by the
bodies' bytes (``ANSWER_CACHE_MB`` per worker, least recently used first out).

A kept answer also keeps its gzip form, made the first time a client that accepts gzip asks for it
(browsers and ``wx.request`` all do): a records page or a complete filing is tens of kilobytes of
JSON that compresses to a fraction, and on a phone's mobile network the bytes are the wait. The
proxy in front (``deploy/nginx``) does not compress, so nothing compresses twice.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Response, current_app, request
from werkzeug.http import parse_accept_header, parse_etags

from handlers.services import Actor

JSON = "application/json"
# What an entry costs besides its body: the key, the object, the LRU's bookkeeping (measured roughly).
ENTRY_OVERHEAD = 600
# The records list's own answers: revalidate with the ETag on every use, never in a shared cache.
PRIVATE_REVALIDATE = "private, no-cache"
# Bodies shorter than this go as they are: a gzip header and trailer would outweigh the saving.
GZIP_FROM_BYTES = 1024
# zlib's default: level 9 takes about twice the CPU for a few per cent fewer bytes on this JSON.
GZIP_LEVEL = 6


@dataclass(slots=True)
class KeptAnswer:
    body: bytes
    etag: str
    #: The body gzipped, made on the first use that accepts it; None until then.
    gzipped: bytes | None = None

    def encoded(self, accept_encoding: str | None) -> tuple[bytes, bool]:
        """The body as this client takes it, and whether that is the gzip form."""
        if len(self.body) < GZIP_FROM_BYTES or not accept_encoding or parse_accept_header(accept_encoding)["gzip"] <= 0:
            return self.body, False
        if self.gzipped is None:  # two threads may both make it: the same bytes, either one is kept
            self.gzipped = gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)
        return self.gzipped, True


def _size(answer: KeptAnswer) -> int:
    """What an entry is counted as: its body twice, so that its gzip form, made later, is within
    the bound too (the gzip form is a fraction of the body)."""
    return 2 * len(answer.body) + ENTRY_OVERHEAD


class AnswerCache:
    """A bounded LRU of rendered answers, shared by the threads of one worker (hence the lock:
    cachetools' caches are not thread-safe, and a get reorders the LRU)."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache[Hashable, KeptAnswer] = LRUCache(maxsize=max_bytes, getsizeof=_size)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> KeptAnswer | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, answer: KeptAnswer) -> None:
        if _size(answer) > self._entries.maxsize:
            return  # larger than the whole cache: not kept
        with self._lock:
            self._entries[key] = answer

    def __len__(self) -> int:
        return len(self._entries)


_EXTENSION = "entryfiling.answer_cache"


def answer_cache() -> AnswerCache | None:
    """This app's cache (one per app and process), or None when ANSWER_CACHE_MB is 0."""
    extensions = current_app.extensions
    if _EXTENSION not in extensions:
        megabytes = extensions["entryfiling"].settings.answer_cache_mb
        extensions[_EXTENSION] = AnswerCache(megabytes * 1024 * 1024) if megabytes > 0 else None
    cache: AnswerCache | None = extensions[_EXTENSION]
    return cache


def key_tag(key: Hashable) -> str:
    """An ETag for an answer's key: the same on every worker, and nothing of the key readable in it."""
    return '"a' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'


def _key(actor: Actor, parts: tuple[Hashable, ...]) -> tuple[Hashable, ...] | None:
    if actor.answer_versions is None or actor.enterprise_id is None:
        return None
    return (request.endpoint, request.script_root, actor.enterprise_id, actor.answer_versions.enterprise, *parts)


def kept_answer(
    actor: Actor, parts: tuple[Hashable, ...], render: Callable[[], tuple[bytes, str | None]], *, conditional: bool
) -> Response:
    """The answer under (this route, ``actor``'s enterprise and version, ``parts``): kept, or
    ``render``ed (body, its own ETag or None) and kept. ``parts`` must name everything else the
    answer depends on. ``conditional``: the ETag is the key's, and a matching If-None-Match is 304."""
    cache = answer_cache()
    key = _key(actor, parts)
    tag = key_tag(key) if conditional and key is not None else None
    if tag is not None and parse_etags(request.headers.get("If-None-Match")).contains_weak(tag.strip('"')):
        not_modified = _response(b"", tag, 304)
        not_modified.vary.add("Accept-Encoding")
        return not_modified
    kept = cache.get(key) if cache is not None and key is not None else None
    if kept is None:
        body, own_tag = render()
        kept = KeptAnswer(body, tag or own_tag or "")
        if cache is not None and key is not None:
            cache.put(key, kept)
    body, gzipped = kept.encoded(request.headers.get("Accept-Encoding"))
    response = _response(body, kept.etag, 200, tag is not None)
    response.vary.add("Accept-Encoding")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _response(body: bytes, etag: str, status: int, revalidate: bool = True) -> Response:
    response = Response(body, status=status, mimetype=JSON) if status == 200 else Response(status=status)
    if etag:
        response.headers["ETag"] = etag
    if revalidate:
        response.headers["Cache-Control"] = PRIVATE_REVALIDATE
    return response
