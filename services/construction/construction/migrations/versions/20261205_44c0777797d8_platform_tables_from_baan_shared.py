"""platform tables from baan_shared's platform history

The outbox, inbox, audit log, rate-limit and idempotency tables are now created
once for every service by the platform revisions this history starts from. A
database made before that has them already (created by this service's older
revisions); this brings it to the same schema without touching their rows.
On a fresh database it does nothing.

Revision ID: 44c0777797d8
Revises: c2e75479c703
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from baan_shared.migrations import tables

revision: str = "44c0777797d8"
down_revision: str | None = "c2e75479c703"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tables.adopt(publishes=True)


def downgrade() -> None:
    pass  # the platform revisions drop these tables
