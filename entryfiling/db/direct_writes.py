"""A loaded filing's changes written by hand, in as few statements as they take, instead of the
ORM's flush.

The automatic approval moves a filing twice (submitted, then its decision), records the decision on
it and rewrites the enterprise's filed record, all on the ORM objects that the regulator's paths use
too (``handlers.filings.common.move``, ``handlers.filings.decisions.record_decision``). Flushing them
cost the unit of work's bookkeeping — sorting mappers and dependencies, organising states, an
``INSERT … RETURNING id`` for events nobody reads the id of — about as much CPU as everything else
the database part of a submit does. Here the same rows are written with three Core statements (the
filing's ``UPDATE … WHERE version = …``, the enterprise's ``UPDATE``, the new events in one
``INSERT``), then the objects are told their values are the stored ones, so the commit's flush has
nothing left to write. Only what the ORM would have written is written: the columns whose value
changed since they were read, and the version check of the filing stays (``StaleDataError`` when
another write moved it on, as the flush raised it).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

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
    if changed:
        # As the ORM's version counter: the UPDATE sets the next version where the one read is still stored.
        read_version = filing.version
        changed["version"] = read_version + 1
        updated = cast(
            CursorResult[Any],
            session.execute(
                update(_FILINGS)
                .where(_FILINGS.c.id == filing.id, _FILINGS.c.version == read_version)
                .values(changed)
                .execution_options(synchronize_session=False)
            ),
        )
        if updated.rowcount != 1:
            raise StaleDataError(
                f"UPDATE statement on table 'filings' expected to update 1 row(s); {updated.rowcount} were matched."
            )
        _committed(filing, changed)
    if new_events:
        # One INSERT of all of them, in order (their ids keep the order of the moves), without the
        # ORM's RETURNING of ids nothing reads.
        session.execute(insert(_EVENTS), [_event_row(filing.id, event) for event in new_events])
        for event in new_events:
            session.expunge(event)
        # The collection as stored; its events stay readable for the answer (the new ones carry no
        # id, which no view shows).
        set_committed_value(filing, "events", list(events))
    if enterprise is not None and (changes := _changed_columns(enterprise)):
        session.execute(
            update(_ENTERPRISES)
            .where(_ENTERPRISES.c.id == enterprise.id)
            .values(changes)
            .execution_options(synchronize_session=False)
        )
        _committed(enterprise, changes)
    for instance in (filing, enterprise):
        if instance is not None:
            _settle(session, instance)


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


def _event_row(filing_id: int, event: FilingEvent) -> dict[str, Any]:
    return {
        "filing_id": filing_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor,
        "note": event.note,
        "at": event.at,
    }
