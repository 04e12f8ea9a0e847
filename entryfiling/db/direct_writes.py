"""A loaded filing's changes written by hand, in as few statements as they take, instead of the
ORM's flush.

The automatic approval moves a filing twice (submitted, then its decision), records the decision on
it and rewrites the enterprise's filed record, all on the ORM objects that the regulator's paths use
too (``handlers.filings.common.move``, ``handlers.filings.decisions.record_decision``). Flushing them
cost the unit of work's bookkeeping — sorting mappers and dependencies, organising states, an
``INSERT … RETURNING id`` for events nobody reads the id of — about as much CPU as everything else
the database part of a submit does. Here the same rows are written by hand — the filing's ``UPDATE …
WHERE version = …``, the new events in one ``INSERT``, the enterprise's ``UPDATE``: one statement of
data-modifying CTEs on PostgreSQL, in the caller's transaction, three on SQLite — then the objects
are told their values are the stored ones, so the commit's flush has nothing left to write. Only
what the ORM would have written is written: the columns whose value changed since they were read,
and the version check of the filing stays (``StaleDataError`` when another write moved it on, as the
flush raised it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Table, bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.inserts import bound_rows, bound_values
from entryfiling.db.models import Enterprise, Filing, FilingEvent

_FILINGS = cast(Table, Filing.__table__)
_ENTERPRISES = cast(Table, Enterprise.__table__)
_EVENTS = cast(Table, FilingEvent.__table__)


def write_filing_changes(session: Session, filing: Filing, enterprise: Enterprise | None = None) -> None:
    """Write the filing's changed columns (its version moved on by one, checked against the one
    read), its new events and the enterprise's changed columns; afterwards all are clean."""
    changed = _changed_columns(filing)
    # The events as loaded (a move loaded them to append to): reading ``filing.events`` would load them.
    events: list[FilingEvent] = inspect(filing).dict.get("events", [])
    new_events = [e for e in events if inspect(e).pending]
    enterprise_changes = _changed_columns(enterprise) if enterprise is not None else {}
    enterprise_written = False
    if changed:
        # As the ORM's version counter: the UPDATE sets the next version where the one read is still stored.
        read_version = filing.version
        changed["version"] = read_version + 1
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            matched = _written_at_once(
                connection, filing, read_version, changed, new_events, enterprise, enterprise_changes
            )
            enterprise_written = True
        else:
            matched = _write_filing(session, filing.id, read_version, changed, new_events)
        if matched != 1:
            raise StaleDataError(
                f"UPDATE statement on table 'filings' expected to update 1 row(s); {matched} were matched."
            )
        _committed(filing, changed)
    elif new_events:
        session.execute(insert(_EVENTS), [_event_row(filing.id, event) for event in new_events])
    if new_events:
        for event in new_events:
            session.expunge(event)
        # The collection as stored; its events stay readable for the answer (the new ones carry no
        # id, which no view shows).
        set_committed_value(filing, "events", list(events))
    if enterprise is not None and enterprise_changes:
        if not enterprise_written:
            session.execute(
                update(_ENTERPRISES)
                .where(_ENTERPRISES.c.id == enterprise.id)
                .values(enterprise_changes)
                .execution_options(synchronize_session=False)
            )
        _committed(enterprise, enterprise_changes)
    for instance in (filing, enterprise):
        if instance is not None:
            _settle(session, instance)


def _write_filing(
    session: Session, filing_id: int, read_version: int, changed: dict[str, Any], new_events: list[FilingEvent]
) -> int:
    """SQLite (no round trip to save: it runs in this process): the filing's UPDATE, then its new
    events in one INSERT, in order (their ids keep the order of the moves), without the ORM's
    RETURNING of ids nothing reads. The number of filing rows matched."""
    updated = cast(
        CursorResult[Any],
        session.execute(
            update(_FILINGS)
            .where(_FILINGS.c.id == filing_id, _FILINGS.c.version == read_version)
            .values(changed)
            .execution_options(synchronize_session=False)
        ),
    )
    if updated.rowcount == 1 and new_events:
        session.execute(insert(_EVENTS), [_event_row(filing_id, event) for event in new_events])
    return updated.rowcount


def _written_at_once(
    connection: Connection,
    filing: Filing,
    read_version: int,
    changed: dict[str, Any],
    new_events: list[FilingEvent],
    enterprise: Enterprise | None,
    enterprise_changes: dict[str, Any],
) -> int:
    """PostgreSQL: the filing's UPDATE, its new events and the enterprise's UPDATE as one statement
    in the caller's transaction (data-modifying CTEs), where they were three round trips. The events
    are one multi-row VALUES, in the order of the moves, as the separate INSERT wrote them. All parts
    run whatever the filing's UPDATE matched: when it matched nothing, the caller raises and the
    transaction is rolled back whole. The number of filing rows matched."""
    shape = (tuple(changed), len(new_events), tuple(enterprise_changes))
    params: dict[str, Any] = {"filing_id": filing.id, "read_version": read_version}
    params |= {f"f_{key}": value for key, value in changed.items()}
    params |= bound_values("e", [_event_row(filing.id, event) for event in new_events])
    if enterprise is not None and enterprise_changes:
        params |= {"enterprise_id": enterprise.id} | {f"x_{key}": value for key, value in enterprise_changes.items()}
    row = _writes_at_once(*shape).one_joining(connection, params)
    return int(row[0]) if row is not None else 0


@lru_cache(maxsize=32)
def _writes_at_once(filing_columns: tuple[str, ...], events: int, enterprise_columns: tuple[str, ...]) -> DriverRead:
    """The statement of ``_written_at_once`` for one shape of changes, compiled once: a multi-row
    VALUES has no cache key, so SQLAlchemy would compile it on every call."""
    saved = (
        update(_FILINGS)
        .where(_FILINGS.c.id == bindparam("filing_id"), _FILINGS.c.version == bindparam("read_version"))
        .values({key: bindparam(f"f_{key}", type_=_FILINGS.c[key].type) for key in filing_columns})
        .returning(_FILINGS.c.id)
        .cte("saved")
    )
    statement = select(func.count()).select_from(saved)
    if events:
        moved = insert(_EVENTS).values(bound_rows("e", _EVENTS, _EVENT_COLUMNS, events))
        statement = statement.add_cte(moved.cte("moved"))
    if enterprise_columns:
        recorded = (
            update(_ENTERPRISES)
            .where(_ENTERPRISES.c.id == bindparam("enterprise_id"))
            .values({key: bindparam(f"x_{key}", type_=_ENTERPRISES.c[key].type) for key in enterprise_columns})
        )
        statement = statement.add_cte(recorded.cte("recorded"))
    return DriverRead(statement)


def _settle(session: Session, instance: Any) -> None:
    """Mark ``instance`` unmodified once nothing of it is left to write: otherwise the commit's
    flush still runs a whole unit-of-work pass over it (its mappers, dependencies and relationship
    processors) to find no change, about 5% of a submit's CPU (py-spy). The one private call of
    SQLAlchemy here (``InstanceState._commit_all``, what a flush ends with);
    ``test_submit_commits_without_a_flush`` fails if it no longer does."""
    state = inspect(instance)
    if state.modified and not any(state.attrs[key].history.has_changes() for key in state.committed_state):
        state._commit_all(state.dict, session.identity_map)


def _changed_columns(instance: Any) -> dict[str, Any]:
    """The columns the ORM's flush would write: those assigned a value unequal to the one read."""
    state = inspect(instance)
    return {attr.key: state.dict[attr.key] for attr in state.mapper.column_attrs if state.attrs[attr.key].history.added}


def _committed(instance: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        set_committed_value(instance, key, value)


_EVENT_COLUMNS = ("filing_id", "from_status", "to_status", "actor", "note", "at")


def _event_row(filing_id: int, event: FilingEvent) -> dict[str, Any]:
    return {"filing_id": filing_id} | {key: getattr(event, key) for key in _EVENT_COLUMNS[1:]}
