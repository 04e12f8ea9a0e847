"""a signed letter's reading is kept with its attachment (attachments.letter_reading)

Revision ID: 0016_letter_readings
Revises: 0015_answer_versions

The submit read the signed letter's PDF again on every submit to find the filing it names (pypdf:
about a millisecond of CPU, more for a page set in a CJK font or a scan's QR code). The upload,
which checks the file anyway, now reads it once and keeps the finding on the attachment row: the
file's content hash, the reader's version, readable or not, the references found. A submit uses it
only when both still match (the same bytes, the same reader); letters uploaded before this
migration have none and are read at submit as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_letter_readings"
down_revision: str | None = "0015_answer_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ALTER TABLE on both dialects (not a batch copy of the table on SQLite, which would drop
# the answer-version triggers of 0015 with the old table).
def upgrade() -> None:
    op.add_column("attachments", sa.Column("letter_reading", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "letter_reading")
