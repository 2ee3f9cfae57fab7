"""welfare funds: the latest event about each (an area-bound caller's freshness)

Revision ID: 3b8e5f0a9c17
Revises: fa81712e513a
Create Date: 2026-12-06 01:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

import baan_shared.db
from alembic import op


revision: str = '3b8e5f0a9c17'
down_revision: str | None = 'fa81712e513a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('welfare_fund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_event_time', baan_shared.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('welfare_fund', schema=None) as batch_op:
        batch_op.drop_column('last_event_time')
