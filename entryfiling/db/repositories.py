"""Repositories: how use cases find filings and enterprises, written once.

Another enterprise's filing is simply not found, so a guessed id reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    any_,
    bindparam,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session, aliased, joinedload

from entryfiling import messages as msg
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import Attachment, Enterprise, Filing, FilingEvent, Person
from entryfiling.domain.errors import NotFound
from entryfiling.domain.filing import OPEN_STATUSES, FilingStatus

# The statements of the submit path, built once with their values bound at execution: building
# them per call (the comparisons, then their cache keys) was about a tenth of a submit's CPU.
# The filing, if it is this enterprise's: another's is simply not found.
_OWNED_FILING = select(Filing).where(Filing.id == bindparam("fid"), Filing.enterprise_id == bindparam("eid"))
_OWNED_FILING_FOR_UPDATE = _OWNED_FILING.with_for_update()
# The filing with how many other filings of its business its enterprise has open (the submit's
# rule: one open filing per business), and its events joined, in one statement: the submit moves the
# filing (appending events) and answers with them, where loading them lazily was a statement more.
# A draft has one or two events, so the filing's columns are read that many times; its attachments,
# a dozen on a complete filing, are not joined for that reason.
_OTHER = aliased(Filing)
_OWNED_FILING_WITH_OTHERS_OPEN = _OWNED_FILING.add_columns(
    select(func.count())
    .select_from(_OTHER)
    .where(
        _OTHER.enterprise_id == Filing.enterprise_id,
        _OTHER.business == Filing.business,
        _OTHER.status.in_(OPEN_STATUSES),
        _OTHER.id != Filing.id,
    )
    .scalar_subquery()
    .label("others_open")
).options(joinedload(Filing.events))


class FilingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, filing: Filing) -> Filing:
        """Add a new filing and give it its id."""
        self.session.add(filing)
        self.session.flush()
        return filing

    def of_enterprise(self, enterprise_id: int | None, filing_id: int, *, for_update: bool = False) -> Filing:
        statement = _OWNED_FILING_FOR_UPDATE if for_update else _OWNED_FILING
        return self._one(statement, {"fid": filing_id, "eid": enterprise_id})

    def with_others_open(self, enterprise_id: int | None, filing_id: int) -> tuple[Filing, int]:
        """``of_enterprise``, with how many other filings of its business the enterprise has open."""
        # Every row (one per event), made one by unique(): first() would leave the events half read.
        rows = self.session.execute(_OWNED_FILING_WITH_OTHERS_OPEN, {"fid": filing_id, "eid": enterprise_id})
        found = rows.unique().all()
        if not found:
            raise NotFound(msg.FILING_NOT_FOUND)
        return found[0][0], int(found[0][1])

    def submitted(self, filing_id: int, *, for_update: bool = False) -> Filing:
        """Any enterprise's filing once submitted (for regulators); a draft stays the enterprise's own."""
        query = select(Filing).where(Filing.id == filing_id, Filing.status != FilingStatus.DRAFT)
        return self._one(query.with_for_update() if for_update else query, {})

    def _one(self, query: Select[Filing], params: dict[str, Any]) -> Filing:
        filing = self.session.scalar(query, params)
        if filing is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        return filing

    def open_one(self, enterprise_id: int, business_key: str) -> Filing | None:
        """The enterprise's filing of this business still open (draft or in progress), if any."""
        return self.session.scalar(
            select(Filing)
            .where(
                Filing.enterprise_id == enterprise_id,
                Filing.business == business_key,
                Filing.status.in_(OPEN_STATUSES),
            )
            .order_by(Filing.id)
        )

    def enterprise(self, enterprise_id: int | None, *, for_update: bool = False) -> Enterprise:
        """An enterprise; ``for_update`` serialises approvals that rewrite its filed record."""
        enterprise = self.session.get(Enterprise, enterprise_id, with_for_update=for_update) if enterprise_id else None
        if enterprise is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        return enterprise


# The read side. Hot read paths (the filing detail, the records list) run these Core statements,
# built once at import, on a Connection: no ORM Session, identity map, attribute instrumentation or
# lazy load stands between a request and its rows. The columns are the ones a view shows.
_FILING_SHOWN = (
    Filing.id,
    Filing.enterprise_id,
    Filing.business,
    Filing.enterprise_type,
    Filing.status,
    Filing.sections,
    Filing.version,
    Filing.agreed,
    Filing.signed_letter_id,
    Filing.rule_results,
    Filing.reasons,
    Filing.created_at,
    Filing.updated_at,
    Filing.submitted_at,
    Filing.decided_at,
    Filing.record_changes,
    Filing.copied_from_id,
)
_FILING_OF_ENTERPRISE = select(*_FILING_SHOWN).where(
    Filing.id == bindparam("filing_id"), Filing.enterprise_id == bindparam("enterprise_id")
)
# A filing's attachments and events in one statement (one round trip fewer on every detail): one
# UNION ALL of both, each row tagged with what it is, in the columns both fill. Ordered as the ORM
# relationships order them (attachments by upload time, events by id), so a stored filing reads
# like a loaded one.
_ATTACHMENT, _EVENT = "a", "e"
_CHILDREN_OF_FILING = union_all(
    select(
        literal_column(f"'{_ATTACHMENT}'").label("child"),
        Attachment.id.label("ref"),
        Attachment.kind.label("kind"),
        Attachment.filename,
        Attachment.content_type,
        Attachment.size,
        Attachment.sha256,
        Attachment.uploaded_by.label("who"),
        Attachment.created_at.label("at"),
        Attachment.source_pages.label("extra"),
        literal_column("0").label("seq"),
    ).where(Attachment.filing_id == bindparam("filing_id")),
    select(
        literal_column(f"'{_EVENT}'"),
        FilingEvent.from_status,
        FilingEvent.to_status,
        null(),
        null(),
        null(),
        null(),
        FilingEvent.actor,
        FilingEvent.at,
        FilingEvent.note,
        FilingEvent.id,
    ).where(FilingEvent.filing_id == bindparam("filing_id")),
).order_by("child", "seq", "at")


def _children_as_json(table: Any, order: Any, columns: dict[str, Any]) -> ColumnElement[Any]:
    """PostgreSQL: the filing's rows of ``table`` as one JSON array in one column (``NULL`` for none),
    ordered as its relationship orders them; decoded by the driver."""
    pairs: list[Any] = []
    for key, column in columns.items():
        pairs += [literal_column(f"'{key}'"), column]
    row = func.json_build_object(*pairs)
    return (
        select(func.json_agg(aggregate_order_by(row, order), type_=JSON))
        .select_from(table)
        .where(table.c.filing_id == Filing.id)
        .scalar_subquery()
    )


# PostgreSQL reads a filing with its attachments and events in one statement (one round trip and one
# execution fewer than the two above, on every save and detail): the filing's columns once, beside
# each kind of child aggregated into a JSON array by a subselect. The JSON keys are the fields of
# StoredAttachment and StoredEvent below; timestamps come as ISO text and are read back as UTC, as
# UTCDateTime reads the column. SQLite keeps the two statements above.
_FILING_WITH_CHILDREN = select(
    *_FILING_SHOWN,
    _children_as_json(
        Attachment.__table__,
        Attachment.created_at,
        {
            "id": Attachment.id,
            "kind": Attachment.kind,
            "filename": Attachment.filename,
            "content_type": Attachment.content_type,
            "size": Attachment.size,
            "sha256": Attachment.sha256,
            "uploaded_by": Attachment.uploaded_by,
            "created_at": Attachment.created_at,
            "source_pages": Attachment.source_pages,
        },
    ).label("attachments"),
    _children_as_json(
        FilingEvent.__table__,
        FilingEvent.id,
        {
            "from_status": FilingEvent.from_status,
            "to_status": FilingEvent.to_status,
            "actor": FilingEvent.actor,
            "note": FilingEvent.note,
            "at": FilingEvent.at,
        },
    ).label("events"),
).where(Filing.id == bindparam("filing_id"), Filing.enterprise_id == bindparam("enterprise_id"))


# Run on the driver's connection (``DriverRead``): the detail on a miss of its kept answer, and the
# section save, read the filing with it.
_FILING_WITH_CHILDREN_READ = DriverRead(_FILING_WITH_CHILDREN)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class StoredAttachment(NamedTuple):
    id: str
    filing_id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: dict[str, Any]
    created_at: datetime
    source_pages: list[Any] | None


class StoredEvent(NamedTuple):
    from_status: str | None
    to_status: str
    actor: dict[str, Any]
    note: list[Any]
    at: datetime


_PERSONS_SHOWN = select(Person.id, Person.name, Person.id_number_sealed).where(
    Person.id.in_(bindparam("ids", expanding=True))
)
# PostgreSQL: the ids as one array parameter, so the statement is compiled once and runs on the
# driver's connection (``DriverRead``); an expanding IN is rendered anew for each number of ids.
_PERSONS_SHOWN_ON_DRIVER = DriverRead(
    select(Person.id, Person.name, Person.id_number_sealed).where(
        Person.id == any_(bindparam("ids", type_=ARRAY(Integer)))
    )
)


class ShownPerson(NamedTuple):
    id: int
    name: str
    id_number_sealed: str


# What a records-list row shows (a summary); the list loads no JSON of sections or rule results.
_SUMMARY_SHOWN = (
    Filing.id,
    Filing.enterprise_id,
    Filing.business,
    Filing.enterprise_type,
    Filing.status,
    Filing.version,
    Filing.created_at,
    Filing.updated_at,
    Filing.submitted_at,
    Filing.decided_at,
    Filing.reasons,
)


@dataclass(frozen=True, slots=True)
class FilingFilters:
    """The records list's filters; ``None`` filters nothing."""

    status: str | None = None
    business: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


# Which filters are set -> (the page statement, the count statement). Built once per combination
# (16 at most) with bound parameters, so a request reuses a statement whose cache key and compiled
# SQL SQLAlchemy already holds, instead of building and hashing a new one.
_PAGE_STATEMENTS: dict[tuple[bool, ...], tuple[Select[Any], Select[Any]]] = {}
_FILTER_CRITERIA = (
    Filing.status == bindparam("status"),
    Filing.business == bindparam("business"),
    Filing.created_at >= bindparam("created_from", type_=Filing.created_at.type),
    Filing.created_at < bindparam("created_before", type_=Filing.created_at.type),
)


def _page_statements(filters: FilingFilters) -> tuple[Select[Any], Select[Any]]:
    values = (filters.status, filters.business, filters.created_from, filters.created_before)
    shape = tuple(value is not None for value in values)
    statements = _PAGE_STATEMENTS.get(shape)
    if statements is None:
        criteria = [Filing.enterprise_id == bindparam("enterprise_id")]
        criteria += [criterion for criterion, used in zip(_FILTER_CRITERIA, shape, strict=True) if used]
        # One statement: the page and, beside each row, the count of all matches (a window over the filter).
        page = (
            select(*_SUMMARY_SHOWN, func.count().over().label("total"))
            .where(*criteria)
            .order_by(Filing.created_at.desc(), Filing.id.desc())
            .offset(bindparam("offset", type_=Integer))
            .limit(bindparam("limit", type_=Integer))
        )
        count = select(func.count()).select_from(Filing).where(*criteria)
        statements = _PAGE_STATEMENTS[shape] = (page, count)
    return statements


@dataclass(frozen=True, slots=True)
class StoredFiling:
    """A filing as stored, with its attachments and events: what a view of it reads, nothing more."""

    id: int
    enterprise_id: int
    business: str
    enterprise_type: str
    status: str
    sections: dict[str, Any]
    version: int
    agreed: bool
    signed_letter_id: str | None
    rule_results: list[Any]
    reasons: list[Any]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    record_changes: list[Any] | None
    copied_from_id: int | None
    attachments: list[StoredAttachment]
    events: list[StoredEvent]

    def saved(self, sections: dict[str, Any], version: int, at: datetime) -> StoredFiling:
        """The filing as a save of its sections leaves it. Built positionally: ``dataclasses.replace``
        (its walk over the fields' declarations) was 2 % of a section save."""
        return StoredFiling(
            self.id,
            self.enterprise_id,
            self.business,
            self.enterprise_type,
            self.status,
            sections,
            version,
            self.agreed,
            self.signed_letter_id,
            self.rule_results,
            self.reasons,
            self.created_at,
            at,
            self.submitted_at,
            self.decided_at,
            self.record_changes,
            self.copied_from_id,
            self.attachments,
            self.events,
        )


class FilingReads:
    """Reads of filings for views, on a Connection (see above)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def of_enterprise(self, enterprise_id: int | None, filing_id: int) -> StoredFiling:
        """The enterprise's filing with its attachments and events; another's is not found."""
        parameters = {"filing_id": filing_id, "enterprise_id": enterprise_id}
        if self.connection.dialect.name == "postgresql":
            return self._with_children_as_json(parameters)
        return self._in_two_statements(parameters)

    def _in_two_statements(self, parameters: dict[str, Any]) -> StoredFiling:
        row = self.connection.execute(_FILING_OF_ENTERPRISE, parameters).first()
        if row is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        filing_id = row.id
        attachments: list[StoredAttachment] = []
        events: list[StoredEvent] = []
        for child in self.connection.execute(_CHILDREN_OF_FILING, {"filing_id": filing_id}):
            if child.child == _ATTACHMENT:
                attachments.append(
                    StoredAttachment(
                        child.ref,
                        filing_id,
                        child.kind,
                        child.filename,
                        child.content_type,
                        child.size,
                        child.sha256,
                        child.who,
                        child.at,
                        child.extra,
                    )
                )
            else:
                events.append(StoredEvent(child.ref, child.kind, child.who, child.extra, child.at))
        return StoredFiling(**row._mapping, attachments=attachments, events=events)

    def _with_children_as_json(self, parameters: dict[str, Any]) -> StoredFiling:
        values = _FILING_WITH_CHILDREN_READ.one_on(self.connection, parameters)
        if values is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        # The filing's columns as they are; its children from their JSON (the keys named above).
        read = dict(zip(_FILING_WITH_CHILDREN_READ.names, values, strict=True))
        filing_id = read["id"]
        read["attachments"] = [
            StoredAttachment(
                a["id"],
                filing_id,
                a["kind"],
                a["filename"],
                a["content_type"],
                a["size"],
                a["sha256"],
                a["uploaded_by"],
                _utc(a["created_at"]),
                a["source_pages"],
            )
            for a in read["attachments"] or ()
        ]
        read["events"] = [
            StoredEvent(e["from_status"], e["to_status"], e["actor"], e["note"], _utc(e["at"]))
            for e in read["events"] or ()
        ]
        return StoredFiling(**read)

    def page(
        self, enterprise_id: int | None, filters: FilingFilters, *, offset: int, limit: int
    ) -> tuple[list[Row[Any]], int]:
        """A page of the enterprise's filings (summary columns, newest first) and how many match."""
        page, count = _page_statements(filters)
        parameters = {
            "enterprise_id": enterprise_id,
            "status": filters.status,
            "business": filters.business,
            "created_from": filters.created_from,
            "created_before": filters.created_before,
        }
        rows = list(self.connection.execute(page, {**parameters, "offset": offset, "limit": limit}))
        # Past the last page there is no row to carry the count: then the count alone.
        total = rows[0].total if rows else self.connection.scalar(count, parameters)
        return rows, int(total or 0)


def persons_shown(executor: Connection | Session, ids: set[int]) -> list[ShownPerson]:
    """Id, name and sealed ID number of these persons (for showing whom a filing chose)."""
    if isinstance(executor, Connection) and executor.dialect.name == "postgresql":
        rows: Any = _PERSONS_SHOWN_ON_DRIVER.all_on(executor, {"ids": sorted(ids)})
    else:
        rows = executor.execute(_PERSONS_SHOWN, {"ids": sorted(ids)})
    return [ShownPerson(*row) for row in rows]
