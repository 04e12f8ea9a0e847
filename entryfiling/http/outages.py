"""A dependency that is down is a 503 with Retry-After, never a 500 with a stack trace.

Redis (the job queue, WeChat's token cache) and the database can be unreachable for a while; a
client that waits and retries will succeed, so it is told exactly that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError

from entryfiling import messages as msg
from entryfiling.domain.errors import DomainError, ServiceUnavailable

log = logging.getLogger(__name__)

#: What a client is told to wait before retrying.
RETRY_AFTER_SECONDS = 30


def register_outage_handlers(app: Flask, respond: Callable[[DomainError], Response]) -> None:
    def queue_down(error: Exception) -> Response:
        log.warning("redis unavailable: %s", error)
        return respond(ServiceUnavailable(msg.DEPENDENCY_QUEUE_DOWN, retry_after=RETRY_AFTER_SECONDS))

    def database_down(error: Exception) -> Response:
        log.warning("database unavailable: %s", error)
        return respond(ServiceUnavailable(msg.DEPENDENCY_DATABASE_DOWN, retry_after=RETRY_AFTER_SECONDS))

    for redis_error in (RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(redis_error, queue_down)
    for database_error in (OperationalError, InterfaceError):
        app.register_error_handler(database_error, database_down)
