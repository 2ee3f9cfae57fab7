"""budgets: the whole country's level is "country", no longer "national"

One vocabulary for area levels (baan_shared.reference.AreaLevel, docs/contracts.md).
Only stored values change: the column is plain VARCHAR. The journal entries'
descriptions written before keep the old word: they are history.

Revision ID: 5b1e0c7d2a41
Revises: 87f9e3b9f3cb
Create Date: 2026-12-05 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b1e0c7d2a41"
down_revision: str | None = "87f9e3b9f3cb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE budgets SET area_level = 'country' WHERE area_level = 'national'")


def downgrade() -> None:
    op.execute("UPDATE budgets SET area_level = 'national' WHERE area_level = 'country'")
