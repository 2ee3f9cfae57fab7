"""inbox, audit log, rate-limit counters and idempotency keys: every service's

The first revision of every service's database (see ``baan_shared.migrations``).

Revision ID: platform_0001
Revises:
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from baan_shared.migrations import tables

revision: str = "platform_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tables.create_platform()


def downgrade() -> None:
    tables.drop_platform()
