"""households: indexes for what is read (fewer entries per imported household)

Revision ID: 8c3e5a1f0d47
Revises: 01641b78000b
Create Date: 2026-12-06 11:20:00.000000

An import writes an entry in every index of ``households`` for each household it
registers (issue 16). The programme's index goes (six programmes: it narrowed no
query alone), the status's becomes one on status and programme over the decided
households only (those still as surveyed are the bulk and never looked up by
status), and the round's and community's hold only households in one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '8c3e5a1f0d47'
down_revision: str | None = '01641b78000b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIDED = "status <> 'surveyed'"


def _partial(name: str, columns: list[str], where: str) -> None:
    op.create_index(
        name,
        'households',
        columns,
        unique=False,
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def upgrade() -> None:
    op.drop_index('ix_households_programme', table_name='households')
    op.drop_index('ix_households_status', table_name='households')
    op.drop_index('ix_households_survey_round_id', table_name='households')
    op.drop_index('ix_households_community_id', table_name='households')
    _partial('ix_households_status_programme', ['status', 'programme'], _DECIDED)
    _partial('ix_households_survey_round_id', ['survey_round_id'], 'survey_round_id IS NOT NULL')
    _partial('ix_households_community_id', ['community_id'], 'community_id IS NOT NULL')


def downgrade() -> None:
    op.drop_index('ix_households_community_id', table_name='households')
    op.drop_index('ix_households_survey_round_id', table_name='households')
    op.drop_index('ix_households_status_programme', table_name='households')
    op.create_index('ix_households_community_id', 'households', ['community_id'], unique=False)
    op.create_index(
        'ix_households_survey_round_id', 'households', ['survey_round_id'], unique=False
    )
    op.create_index('ix_households_status', 'households', ['status'], unique=False)
    op.create_index('ix_households_programme', 'households', ['programme'], unique=False)
