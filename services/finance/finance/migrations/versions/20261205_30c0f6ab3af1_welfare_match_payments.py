"""welfare match payments: the agency's match of a welfare fund's contributions, paid once

Revision ID: 30c0f6ab3af1
Revises: 6c98f4b3e781
Create Date: 2026-12-05 18:09:53.646242
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import baan_shared.db
from alembic import op


revision: str = '30c0f6ab3af1'
down_revision: str | None = '6c98f4b3e781'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('welfare_match_payments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('match_request_id', sa.Uuid(), nullable=False),
    sa.Column('welfare_fund_id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('subdistrict_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('journal_entry_id', sa.Uuid(), nullable=False),
    sa.Column('source_event_id', sa.Uuid(), nullable=False),
    sa.Column('paid_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_welfare_match_payments_journal_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_match_payments')),
    sa.UniqueConstraint('match_request_id', name='uq_welfare_match_payments_match_request_id')
    )
    with op.batch_alter_table('welfare_match_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_match_payments_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_match_payments_welfare_fund_id'), ['welfare_fund_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('welfare_match_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_match_payments_welfare_fund_id'))
        batch_op.drop_index(batch_op.f('ix_welfare_match_payments_province_code'))

    op.drop_table('welfare_match_payments')
