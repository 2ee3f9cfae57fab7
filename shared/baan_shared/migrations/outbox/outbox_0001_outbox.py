"""the outbox: every service that publishes

Follows the platform revision in the history of a service that owns a topic.

Revision ID: outbox_0001
Revises: platform_0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from baan_shared.migrations import tables

revision: str = "outbox_0001"
down_revision: str | None = "platform_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tables.create_outbox()


def downgrade() -> None:
    tables.drop_outbox()
