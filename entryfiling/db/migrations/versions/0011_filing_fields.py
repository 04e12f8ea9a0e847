"""qualification rows carry their 资质类别: filled from the catalogue in drafts, filings and filed records

Revision ID: 0011_filing_fields
Revises: 0010_perf

Section values live in JSON, so the new fields of a real filing (the 安全生产许可证, the 驻疆机构 of the
first filing, a qualification's 类别 and status) need no new column: a draft written before them still
loads, and its completeness view names what is now missing. Only 类别 can be filled without asking
anyone — it follows from the qualification's name — so this migration writes it into every
qualification row (current and cancelled) of every filing and filed record. A status is not guessed:
the enterprise states it (or syncs it from the registry) when it next saves the section.

The catalogue is read from the domain (pure Python, no application state) rather than copied here:
names it does not know keep their row unchanged, exactly as a save would leave them.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from entryfiling.domain.catalogues.qualifications import class_of_name

revision: str = "0011_filing_fields"
down_revision: str | None = "0010_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("qualifications", "cancelled_qualifications")
BATCH = 500

filings = sa.table("filings", sa.column("id", sa.Integer), sa.column("sections", sa.JSON))
enterprises = sa.table("enterprises", sa.column("id", sa.Integer), sa.column("filed_record", sa.JSON))


def _with_category(values: Any, add: bool) -> Any:
    """The qualification section's values with 类别 added to (or, going down, removed from) each row."""
    if not isinstance(values, dict):
        return values
    changed = dict(values)
    for table in TABLES:
        rows = values.get(table)
        if not isinstance(rows, list):
            continue
        new_rows = []
        for row in rows:
            if isinstance(row, dict) and add and "category" not in row and isinstance(row.get("name"), str):
                category = class_of_name(row["name"])
                row = {**row, "category": category} if category else row
            elif isinstance(row, dict) and not add:
                row = {k: v for k, v in row.items() if k != "category"}
            new_rows.append(row)
        changed[table] = new_rows
    return changed


def _rows(table: sa.TableClause, column: str) -> Iterator[tuple[int, Any]]:
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(table.c.id, table.c[column]).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        yield from ((row[0], row[1]) for row in batch)
        last = batch[-1][0]


def _migrate(add: bool) -> None:
    connection = op.get_bind()
    for table, column in ((filings, "sections"), (enterprises, "filed_record")):
        for row_id, document in _rows(table, column):
            if not isinstance(document, dict) or "qualifications" not in document:
                continue
            updated = {**document, "qualifications": _with_category(document["qualifications"], add)}
            if updated != document:
                connection.execute(sa.update(table).where(table.c.id == row_id).values({column: updated}))


def upgrade() -> None:
    _migrate(add=True)


def downgrade() -> None:
    _migrate(add=False)
