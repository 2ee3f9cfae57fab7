"""summary rows per slot: each partition's batches add to rows of their own

Every batch added to its province's summary rows and held them until it committed,
so the partitions applied at once waited on each other. A ``slot`` column (part of
the key) gives each partition rows of its own; reports sum the slots. The rows
already there become slot 0.

Revision ID: 8d2c61e0b4a5
Revises: 646be644ac7b
Create Date: 2026-12-06 07:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '8d2c61e0b4a5'
down_revision: str | None = '646be644ac7b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    'progress_summary': ['area_level', 'programme', 'province_code', 'district_code', 'subdistrict_code', 'fiscal_year', 'approval_half'],
    'achievement_summary': ['area_level', 'programme', 'province_code', 'district_code', 'subdistrict_code', 'measure', 'month'],
}


def upgrade() -> None:
    for table, keys in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('slot', sa.SmallInteger(), server_default='0', nullable=False))
            batch_op.drop_constraint(f'pk_{table}', type_='primary')
            batch_op.create_primary_key(f'pk_{table}', [*keys, 'slot'])


def downgrade() -> None:
    values = {
        'progress_summary': ['households', 'surveyed', 'approved', 'ready_to_build', 'under_construction', 'completed', 'waitlisted', 'rejected', 'cancelled', 'grant_amount_satang', 'disbursed_satang'],
        'achievement_summary': ['households', 'persons'],
    }
    for table, keys in KEYS.items():
        # Fold every slot into slot 0 before the key loses its slot.
        sums = ', '.join(f'SUM({v}) AS {v}' for v in values[table])
        op.execute(f'CREATE TEMPORARY TABLE folded_{table} AS SELECT {", ".join(keys)}, {sums} FROM {table} GROUP BY {", ".join(keys)}')
        op.execute(f'DELETE FROM {table}')
        op.execute(f'INSERT INTO {table} ({", ".join(keys + values[table])}) SELECT * FROM folded_{table}')
        op.execute(f'DROP TABLE folded_{table}')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'pk_{table}', type_='primary')
            batch_op.create_primary_key(f'pk_{table}', keys)
            batch_op.drop_column('slot')
