"""import problems, values and progress

Revision ID: 5d1e0a7c9b21
Revises: 4b794dd6f4e7
Create Date: 2026-12-05 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5d1e0a7c9b21'
down_revision: str | None = '4b794dd6f4e7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('household_import_errors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_th', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('value', sa.Text(), nullable=True))

    with op.batch_alter_table('household_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problems_found', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rows_total', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('household_imports', schema=None) as batch_op:
        batch_op.drop_column('rows_total')
        batch_op.drop_column('problems_found')

    with op.batch_alter_table('household_import_errors', schema=None) as batch_op:
        batch_op.drop_column('value')
        batch_op.drop_column('reason_th')
