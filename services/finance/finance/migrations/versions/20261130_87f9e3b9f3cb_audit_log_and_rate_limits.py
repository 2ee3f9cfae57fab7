"""audit log and rate limits (docs/adr/0003-partner-access.md) (now in the platform history)

These tables are created once for every service by ``baan_shared.migrations``'s
platform revisions, which every service's history starts from; this revision
is kept so that databases stamped with it still upgrade.

Revision ID: 87f9e3b9f3cb
Revises: eb5c7b9cb994
Create Date: 2026-11-30 02:53:23.880476
"""

from collections.abc import Sequence

revision: str = "87f9e3b9f3cb"
down_revision: str | None = "eb5c7b9cb994"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
