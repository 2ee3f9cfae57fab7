"""long-term targets: every version of the national targets (issue 18)

Revision ID: 5b1e0c7a9d24
Revises: c6bf57f172b2
Create Date: 2026-12-05 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import baan_shared.db
from alembic import op


revision: str = '5b1e0c7a9d24'
down_revision: str | None = 'c6bf57f172b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('long_term_target',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name_th', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('programmes', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('first_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('last_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('households', sa.BigInteger(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('set_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', 'version', name=op.f('pk_long_term_target'))
    )


def downgrade() -> None:
    op.drop_table('long_term_target')
