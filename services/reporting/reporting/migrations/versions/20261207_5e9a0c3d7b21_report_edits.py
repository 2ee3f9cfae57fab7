"""report edits: how many times the targets (edited through the API) have changed,
part of the version a kept report answer stands for

Revision ID: 5e9a0c3d7b21
Revises: a7d3e91b5c28
Create Date: 2026-12-07 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import baan_shared.db
from alembic import op


revision: str = '5e9a0c3d7b21'
down_revision: str | None = 'a7d3e91b5c28'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_edits',
    sa.Column('changed_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('edits', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_report_edits'))
    )


def downgrade() -> None:
    op.drop_table('report_edits')
