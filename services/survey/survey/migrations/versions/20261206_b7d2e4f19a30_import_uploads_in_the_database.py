"""household imports: uploads kept in the database, jobs claimed with a lease

Revision ID: b7d2e4f19a30
Revises: 8c3e5a1f0d47
Create Date: 2026-12-06 21:00:00.000000

A queued import's file was spooled on the disk of the pod that took the upload, and
every pod's worker took queued jobs without a lock and, at start-up, re-queued the
running jobs of every other pod. The file now lives in ``household_import_files``
(parts of a mebibyte) and a worker claims a job with a lease it renews while it runs,
so any replica can run or resume any job (issue 16).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'b7d2e4f19a30'
down_revision: str | None = '8c3e5a1f0d47'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'household_import_files',
        sa.Column('import_id', sa.Uuid(), nullable=False),
        sa.Column('sheet', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('part', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['household_imports.id']),
        sa.PrimaryKeyConstraint('import_id', 'sheet', 'part'),
    )
    with op.batch_alter_table('household_imports', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        # A job still queued or running with its file on a pod's disk finds no kept
        # upload when claimed, and fails: "upload it again".
        batch_op.drop_column('members_spool_path')
        batch_op.drop_column('spool_path')


def downgrade() -> None:
    with op.batch_alter_table('household_imports', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('spool_path', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                'members_spool_path', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True
            )
        )
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
    op.drop_table('household_import_files')
