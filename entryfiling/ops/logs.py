"""Structured JSON logs (python-json-logger), one format for the app, RQ workers and gunicorn.

Every record carries the request id of the request it was written in (``X-Request-ID``), and
passes a redaction filter first: ID numbers, tokens, WeChat session keys, signatures and secrets
are masked wherever they appear (a message, an argument, an extra field, a URL a library logs), so
a log line never holds sensitive personal information or a credential, even from a library.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

#: Attributes of every LogRecord; anything else on a record is an ``extra`` field worth redacting.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

# 居民身份证号 (18 characters, last may be X) and the old 15-digit form, not inside longer numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8,11}([\dXx]{1})(?![0-9A-Za-z])")
_SECRET_PARAMETER = re.compile(
    r"(?i)\b((?:access_token|session_key|signature|secret|js_code|token|password|nonce|sig)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\"'&\s,;}]+)"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# Our signed tokens (itsdangerous: payload.timestamp.signature), wherever they turn up.
_SIGNED_TOKEN = re.compile(r"\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}")


def redact(text: str) -> str:
    """``text`` with ID numbers, bearer tokens and secret-looking parameters masked."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _BEARER.sub(r"\1***", text)
    text = _SECRET_PARAMETER.sub(r"\1***", text)
    return _SIGNED_TOKEN.sub("***", text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Masks sensitive values in the message, its arguments and every extra field; adds request_id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_entryfiling_redacted", False):
            if isinstance(record.args, dict) and record.name == "gunicorn.access":
                # Same mapping type (gunicorn's SafeAtoms answers "-" for atoms it lacks).
                record.args = type(record.args)({k: _redact_value(v) for k, v in record.args.items()})
            else:
                record.msg = redact(record.getMessage())
                record.args = None
            for name, value in list(vars(record).items()):
                if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                    setattr(record, name, _redact_value(value))
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record._entryfiling_redacted = True
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, then the extra fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


class GunicornAccessFormatter(JsonFormatter):
    """Gunicorn's access line as fields (its atoms), in the same JSON shape as our own logs.

    The path is logged without its query string: a query could carry a code or a token.
    """

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        log_record["message"] = "access"
        log_record.update(
            {
                "remote_addr": atoms.get("h"),
                "method": atoms.get("m"),
                "path": atoms.get("U"),
                "status": _int(atoms.get("s")),
                "bytes": _int(atoms.get("B")),
                "duration_ms": round(int(atoms.get("D") or 0) / 1000, 1),
                "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i") or None,
                "user_agent": atoms.get("a"),
            }
        )


class TextFormatter(logging.Formatter):
    """Plain lines for development, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_tag)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().format(record)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_HANDLER_NAME = "entryfiling-json"


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Root logs on stderr, redacted: JSON lines, or plain lines with ``LOG_FORMAT=text``.

    Idempotent; a process whose root logger was already configured by its host (gunicorn's
    ``logconfig_dict`` in deploy/gunicorn.conf.py) keeps that configuration.
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == _HANDLER_NAME]
    foreign = [h for h in root.handlers if h.get_name() != _HANDLER_NAME and not _is_pytest_handler(h)]
    if foreign:
        for handler in foreign:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
        return
    handler = ours[0] if ours else logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
    if not ours:
        root.addHandler(handler)
    root.setLevel(level)


def _is_pytest_handler(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")
