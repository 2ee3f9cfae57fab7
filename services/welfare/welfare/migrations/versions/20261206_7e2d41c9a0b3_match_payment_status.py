"""match requests: the agency's payment as finance tells it (waiting for a budget, or paid)

Revision ID: 7e2d41c9a0b3
Revises: a85f0cc8a674
Create Date: 2026-12-06 00:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import baan_shared.db
from alembic import op


revision: str = '7e2d41c9a0b3'
down_revision: str | None = 'a85f0cc8a674'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('welfare_match_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_status', sa.Enum('waiting_for_budget', 'paid', name='matchpaymentstatus', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('payment_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column('paid_at', baan_shared.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paid_satang', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('welfare_match_requests', schema=None) as batch_op:
        batch_op.drop_column('paid_satang')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('payment_reason')
        batch_op.drop_column('payment_status')
