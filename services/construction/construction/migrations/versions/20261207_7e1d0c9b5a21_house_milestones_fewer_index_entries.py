"""house_milestones: fewer index entries per planned house

Revision ID: 7e1d0c9b5a21
Revises: 44c0777797d8
Create Date: 2026-12-07 12:40:00.000000

A committee's decision plans thousands of houses at once, each with its template's
milestones (seven rows a house): every row is written into every index of
``house_milestones``. The index on ``house_work_id`` alone goes (the unique
constraints on (house_work_id, position) and (house_work_id, code) lead with it and
serve the same lookups), and the one on ``planned_on`` holds only dated milestones
(a house just planned has none dated; only late milestones, dated ones, are looked up
by it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7e1d0c9b5a21'
down_revision: str | None = '44c0777797d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATED = 'planned_on IS NOT NULL'


def upgrade() -> None:
    op.drop_index('ix_house_milestones_house_work_id', table_name='house_milestones')
    op.drop_index('ix_house_milestones_planned_on', table_name='house_milestones')
    op.create_index(
        'ix_house_milestones_planned_on',
        'house_milestones',
        ['planned_on'],
        unique=False,
        postgresql_where=sa.text(_DATED),
        sqlite_where=sa.text(_DATED),
    )


def downgrade() -> None:
    op.drop_index('ix_house_milestones_planned_on', table_name='house_milestones')
    op.create_index(
        'ix_house_milestones_planned_on', 'house_milestones', ['planned_on'], unique=False
    )
    op.create_index(
        'ix_house_milestones_house_work_id', 'house_milestones', ['house_work_id'], unique=False
    )
