"""audit log, rate limits and idempotency keys (now in the platform history)

These tables are created once for every service by ``baan_shared.migrations``'s
platform revisions, which every service's history starts from; this revision
is kept so that databases stamped with it still upgrade.

Revision ID: c2e75479c703
Revises: 453d28224135
Create Date: 2026-11-30 02:50:20.280174
"""

from collections.abc import Sequence

revision: str = "c2e75479c703"
down_revision: str | None = "453d28224135"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
