"""Checks made once when a process starts: refuse to run in production without what it needs."""

from __future__ import annotations

import logging

from entryfiling import messages as msg
from entryfiling.config import Settings
from entryfiling.integrations.pdf import prefer_font, resolve_cjk_font

log = logging.getLogger(__name__)


class StartupRefused(RuntimeError):
    """The process must not start with this configuration."""


def check_letter_font(settings: Settings) -> str | None:
    """The TrueType CJK font the commitment letter will embed (``LETTER_FONT`` first).

    Without one the letter falls back to a non-embedded CID font that most phones render as
    boxes: production refuses to start, development starts with a warning. Returns its path.
    """
    prefer_font(settings.letter_font)
    font = resolve_cjk_font()
    if font.path is None:
        if settings.is_production:
            raise StartupRefused(msg.FONT_MISSING_PRODUCTION)
        log.warning("letter font missing", extra={"detail": msg.FONT_MISSING_PRODUCTION})
    return font.path
