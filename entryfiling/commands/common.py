"""What the operator commands share: Services built like the worker's, refusals printed as command errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from handlers.services import Services


def command_services() -> Services:
    """Services like the worker's: RQ when REDIS_URL is set, else each push runs once, inline."""
    from entryfiling.config import load_settings
    from handlers.services import Services
    from jobs.dispatcher import InlineDispatcher, RQDispatcher

    settings = load_settings()
    services = Services.from_settings(settings)
    services.dispatcher = RQDispatcher(settings.redis_url) if settings.redis_url else InlineDispatcher(lambda: services)
    return services


@contextmanager
def refusals_as_click_errors() -> Iterator[None]:
    """A refusal of the use case is printed as the command's error (its Chinese message), not a trace."""
    from entryfiling.domain.errors import DomainError

    try:
        yield
    except DomainError as error:
        raise click.ClickException(error.message) from None
