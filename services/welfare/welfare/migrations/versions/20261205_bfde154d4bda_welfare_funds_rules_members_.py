"""welfare funds, rules, members, contributions, claims, matches and books

Revision ID: bfde154d4bda
Revises: outbox_0001 (baan_shared's platform history)
Create Date: 2026-12-05 17:58:20.877069
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import baan_shared.db
from alembic import op


revision: str = 'bfde154d4bda'
down_revision: str | None = 'outbox_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('welfare_funds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('tambon', 'municipality', name='fundkind', native_enum=False, length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('subdistrict_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('committee', sa.JSON(), nullable=False),
    sa.Column('contributions_satang', sa.BigInteger(), nullable=False),
    sa.Column('agency_match_satang', sa.BigInteger(), nullable=False),
    sa.Column('local_match_satang', sa.BigInteger(), nullable=False),
    sa.Column('other_income_satang', sa.BigInteger(), nullable=False),
    sa.Column('benefits_paid_satang', sa.BigInteger(), nullable=False),
    sa.Column('movements', sa.Integer(), nullable=False),
    sa.Column('created_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('contributions_satang + agency_match_satang + local_match_satang + other_income_satang >= benefits_paid_satang', name=op.f('ck_welfare_funds_not_overdrawn')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_funds')),
    sa.UniqueConstraint('kind', 'subdistrict_code', name='uq_welfare_funds_kind_subdistrict_code')
    )
    with op.batch_alter_table('welfare_funds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_funds_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_funds_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_funds_subdistrict_code'), ['subdistrict_code'], unique=False)

    op.create_table('welfare_fund_movements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('contribution', 'agency_match', 'local_match', 'other_income', 'benefit', name='movementkind', native_enum=False, length=32), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('recorded_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_fund_movements_fund_id_welfare_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_fund_movements')),
    sa.UniqueConstraint('fund_id', 'reference', name='uq_welfare_fund_movements_fund_id_reference')
    )
    with op.batch_alter_table('welfare_fund_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_fund_movements_fund_id'), ['fund_id'], unique=False)

    op.create_table('welfare_fund_rule_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('adopted_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_fund_rule_versions_fund_id_welfare_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_fund_rule_versions')),
    sa.UniqueConstraint('fund_id', 'effective_from', name='uq_welfare_fund_rule_versions_fund_id_effective_from')
    )
    with op.batch_alter_table('welfare_fund_rule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_fund_rule_versions_fund_id'), ['fund_id'], unique=False)

    op.create_table('welfare_match_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('matcher', sa.Enum('agency', 'local_administration', name='matcher', native_enum=False, length=32), nullable=False),
    sa.Column('matcher_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('contributions_satang', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'approved', 'refused', name='matchstatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decided_at', baan_shared.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_match_requests_fund_id_welfare_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_match_requests'))
    )
    with op.batch_alter_table('welfare_match_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_match_requests_fund_id'), ['fund_id'], unique=False)

    op.create_table('welfare_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('national_id', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('active', 'lapsed', 'left', 'deceased', name='memberstatus', native_enum=False, length=32), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('paid_satang', sa.BigInteger(), nullable=False),
    sa.Column('created_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_members_fund_id_welfare_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_members'))
    )
    with op.batch_alter_table('welfare_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_members_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_members_national_id'), ['national_id'], unique=False)
        batch_op.create_index('uq_welfare_members_fund_id_national_id_held', ['fund_id', 'national_id'], unique=True, sqlite_where=sa.text("status IN ('active', 'lapsed')"), postgresql_where=sa.text("status IN ('active', 'lapsed')"))

    op.create_table('welfare_claims',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('childbirth', 'hospital', 'disaster', 'death', 'elderly', 'disability', 'education', 'illness', name='benefitkind', native_enum=False, length=32), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=True),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('rules_effective_from', sa.Date(), nullable=False),
    sa.Column('years_of_membership', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'approved', 'refused', 'paid', name='claimstatus', native_enum=False, length=32), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('created_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_claims_fund_id_welfare_funds')),
    sa.ForeignKeyConstraint(['member_id'], ['welfare_members.id'], name=op.f('fk_welfare_claims_member_id_welfare_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_claims'))
    )
    with op.batch_alter_table('welfare_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welfare_claims_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index('ix_welfare_claims_member_id_kind_event_date', ['member_id', 'kind', 'event_date'], unique=False)

    op.create_table('welfare_contributions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('fund_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recorded_at', baan_shared.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['welfare_funds.id'], name=op.f('fk_welfare_contributions_fund_id_welfare_funds')),
    sa.ForeignKeyConstraint(['member_id'], ['welfare_members.id'], name=op.f('fk_welfare_contributions_member_id_welfare_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_welfare_contributions')),
    sa.UniqueConstraint('fund_id', 'reference', name='uq_welfare_contributions_fund_id_reference')
    )
    with op.batch_alter_table('welfare_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_welfare_contributions_fund_id_paid_on', ['fund_id', 'paid_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_welfare_contributions_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('welfare_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_contributions_member_id'))
        batch_op.drop_index('ix_welfare_contributions_fund_id_paid_on')

    op.drop_table('welfare_contributions')
    with op.batch_alter_table('welfare_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_welfare_claims_member_id_kind_event_date')
        batch_op.drop_index(batch_op.f('ix_welfare_claims_fund_id'))

    op.drop_table('welfare_claims')
    with op.batch_alter_table('welfare_members', schema=None) as batch_op:
        batch_op.drop_index('uq_welfare_members_fund_id_national_id_held', sqlite_where=sa.text("status IN ('active', 'lapsed')"), postgresql_where=sa.text("status IN ('active', 'lapsed')"))
        batch_op.drop_index(batch_op.f('ix_welfare_members_national_id'))
        batch_op.drop_index(batch_op.f('ix_welfare_members_fund_id'))

    op.drop_table('welfare_members')
    with op.batch_alter_table('welfare_match_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_match_requests_fund_id'))

    op.drop_table('welfare_match_requests')
    with op.batch_alter_table('welfare_fund_rule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_fund_rule_versions_fund_id'))

    op.drop_table('welfare_fund_rule_versions')
    with op.batch_alter_table('welfare_fund_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_fund_movements_fund_id'))

    op.drop_table('welfare_fund_movements')
    with op.batch_alter_table('welfare_funds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_welfare_funds_subdistrict_code'))
        batch_op.drop_index(batch_op.f('ix_welfare_funds_province_code'))
        batch_op.drop_index(batch_op.f('ix_welfare_funds_district_code'))

    op.drop_table('welfare_funds')
