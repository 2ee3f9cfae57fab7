"""budget_money: the whole country's level is "country", as finance now says it

Rows projected from budget.allocated events published before the vocabulary was
settled hold finance's old word, "national" (docs/contracts.md, Area levels). The
projection maps it on reading now; this brings the stored rows in line. The events
themselves are never rewritten: a rebuild maps them again.

Revision ID: 7c3f9a1e6b52
Revises: ee5aa93ebcd3
Create Date: 2026-12-05 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c3f9a1e6b52"
down_revision: str | None = "ee5aa93ebcd3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE budget_money SET area_level = 'country' WHERE area_level = 'national'")


def downgrade() -> None:
    op.execute("UPDATE budget_money SET area_level = 'national' WHERE area_level = 'country'")
