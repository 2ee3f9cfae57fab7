"""audit log, rate limits and idempotency keys (now in the platform history)

These tables are created once for every service by ``baan_shared.migrations``'s
platform revisions, which every service's history starts from; this revision
is kept so that databases stamped with it still upgrade.

Revision ID: adc332aa097f
Revises: 122490cf50da
Create Date: 2026-11-30 02:44:51.183703
"""

from collections.abc import Sequence

revision: str = "adc332aa097f"
down_revision: str | None = "122490cf50da"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
