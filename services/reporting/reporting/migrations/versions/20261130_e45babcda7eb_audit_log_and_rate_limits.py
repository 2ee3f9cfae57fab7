"""audit log and rate limits (docs/adr/0003-partner-access.md) (now in the platform history)

These tables are created once for every service by ``baan_shared.migrations``'s
platform revisions, which every service's history starts from; this revision
is kept so that databases stamped with it still upgrade.

Revision ID: e45babcda7eb
Revises: 6a4bdeb5244f
Create Date: 2026-11-30 03:14:17.236958
"""

from collections.abc import Sequence

revision: str = "e45babcda7eb"
down_revision: str | None = "6a4bdeb5244f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
