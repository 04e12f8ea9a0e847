"""Engine and session factory, and migrations run from code (no alembic.ini to find)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# Nineteen digits in a row: perhaps an integer beyond 64 bits, which orjson reads as a float.
_LONG_DIGITS = re.compile(r"\d{19}")
_LONG_DIGITS_IN_BYTES = re.compile(rb"\d{19}")


def read_json(text: str | bytes) -> Any:
    """A JSON column's value, exactly as the standard library reads it: by orjson, three times faster
    on a filing's sections, which every read of a filing decodes; by the standard library where
    orjson would differ: it refuses NaN, infinities and lone surrogate escapes (which the standard
    library writes) and turns integers beyond 64 bits into floats (so text with a run of 19 digits,
    in a number or a string, is left to the standard library). Values are still written by the
    standard library, so the stored text is unchanged."""
    if (_LONG_DIGITS.search(text) if isinstance(text, str) else _LONG_DIGITS_IN_BYTES.search(text)) is not None:
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str, *, autocommit: bool = False) -> Engine:
    """The engine of ``url``; with ``autocommit`` on PostgreSQL, one whose connections are made
    outside a transaction (AUTOCOMMIT) and stay so, for statements that are their own transactions
    (``Services.read_connection``). Elsewhere ``autocommit`` is the caller's to apply."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, json_deserializer=read_json)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets readers work beside one writer; busy_timeout makes concurrent writers
            # wait instead of failing with "database is locked".
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pool_pre_ping: it costs a round trip on every checkout, i.e. on every request. Connections
    # are recycled before servers or proxies drop idle ones, TCP keepalives notice dead peers, and a
    # connection broken anyway is invalidated by SQLAlchemy on its first error.
    return create_engine(
        url,
        isolation_level="AUTOCOMMIT" if autocommit else None,
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        pool_timeout=10,
        json_deserializer=read_json,
        connect_args={"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10, "keepalives_count": 3}
        if url.startswith("postgresql")
        else {},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
