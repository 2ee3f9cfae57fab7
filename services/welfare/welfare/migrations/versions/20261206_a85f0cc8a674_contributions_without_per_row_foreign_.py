"""contributions without per-row foreign keys, members' paid totals from their contributions

A sheet's rows were checked twice (the member of this fund, by the sheet's own lookup in
the same transaction, then by a per-row trigger) and every member's row rewritten for its
running total: half of a 20,000-row sheet's time. Members and funds are never deleted;
a member's paid total is now summed from the contributions on read.

Revision ID: a85f0cc8a674
Revises: bfde154d4bda
Create Date: 2026-12-06 00:32:09.452442
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'a85f0cc8a674'
down_revision: str | None = 'bfde154d4bda'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('welfare_contributions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_welfare_contributions_fund_id_welfare_funds'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_welfare_contributions_member_id_welfare_members'), type_='foreignkey')

    with op.batch_alter_table('welfare_members', schema=None) as batch_op:
        batch_op.drop_column('paid_satang')


def downgrade() -> None:
    with op.batch_alter_table('welfare_members', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('paid_satang', sa.BigInteger(), nullable=False, server_default='0')
        )
    op.execute(
        'UPDATE welfare_members SET paid_satang = (SELECT coalesce(sum(c.amount_satang), 0) '
        'FROM welfare_contributions AS c WHERE c.member_id = welfare_members.id)'
    )

    with op.batch_alter_table('welfare_contributions', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_welfare_contributions_member_id_welfare_members'), 'welfare_members', ['member_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_welfare_contributions_fund_id_welfare_funds'), 'welfare_funds', ['fund_id'], ['id'])
