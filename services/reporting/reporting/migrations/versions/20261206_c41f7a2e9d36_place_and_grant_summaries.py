"""place and grant summary rows: the targets report's places and the money report's
grants without reading every household or grant

``place_summary``: households per programme × community (and its sub-district) ×
measure × month, half and fiscal year, so the targets report counts the distinct sub-districts and
communities reached in a period from places, not households. ``grant_summary``:
grants and their money per programme × area × fiscal year, for the money report.
Filled here from the rows already projected (set-based); from then on the projectors
keep them in the same transaction as the households and grants.

Revision ID: c41f7a2e9d36
Revises: 8d2c61e0b4a5
Create Date: 2026-12-06 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c41f7a2e9d36'
down_revision: str | None = '8d2c61e0b4a5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The fill, frozen as it was written on 2026-12-06 (reporting.projections.summaries.
# places_and_grants_sql for each dialect): a migration must not change when the app's
# code does.
FILL: dict[str, tuple[str, ...]] = {
    'postgresql': (
        'DELETE FROM place_summary',
        "INSERT INTO place_summary (programme, province_code, district_code, subdistrict_code, community_id, measure, month, months, households, persons) SELECT programme, province_code, d, s, c, measure, period_start, months, COUNT(*), SUM(persons) FROM (SELECT m.*, CASE p.months WHEN 1 THEN m.month WHEN 6 THEN CASE WHEN m.mo BETWEEN 4 AND 9 THEN make_date(m.y, 4, 1) ELSE make_date(CASE WHEN m.mo >= 10 THEN m.y ELSE m.y - 1 END, 10, 1) END ELSE make_date(CASE WHEN m.mo >= 10 THEN m.y ELSE m.y - 1 END, 10, 1) END AS period_start, p.months FROM (SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000-0000-0000-0000-000000000000') AS c, 'approved' AS measure, CAST(date_trunc('month', (COALESCE(approval_dated, approved_at) AT TIME ZONE 'Asia/Bangkok')) AS DATE) AS month, CAST(EXTRACT(YEAR FROM (COALESCE(approval_dated, approved_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS y, CAST(EXTRACT(MONTH FROM (COALESCE(approval_dated, approved_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(approval_dated, approved_at) IS NOT NULL AND stage IN ('completed', 'approved', 'under_construction', 'ready_to_build', 'cancelled') UNION ALL SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000-0000-0000-0000-000000000000') AS c, 'started' AS measure, CAST(date_trunc('month', (COALESCE(start_dated, started_at) AT TIME ZONE 'Asia/Bangkok')) AS DATE) AS month, CAST(EXTRACT(YEAR FROM (COALESCE(start_dated, started_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS y, CAST(EXTRACT(MONTH FROM (COALESCE(start_dated, started_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(start_dated, started_at) IS NOT NULL AND stage IN ('under_construction', 'completed') UNION ALL SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000-0000-0000-0000-000000000000') AS c, 'completed' AS measure, CAST(date_trunc('month', (COALESCE(completion_dated, completed_at) AT TIME ZONE 'Asia/Bangkok')) AS DATE) AS month, CAST(EXTRACT(YEAR FROM (COALESCE(completion_dated, completed_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS y, CAST(EXTRACT(MONTH FROM (COALESCE(completion_dated, completed_at) AT TIME ZONE 'Asia/Bangkok')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(completion_dated, completed_at) IS NOT NULL) AS m CROSS JOIN (SELECT 1 AS months UNION ALL SELECT 6 UNION ALL SELECT 12) AS p) AS mp GROUP BY programme, province_code, d, s, c, measure, period_start, months",
        'DELETE FROM grant_summary',
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'province', programme, p, d, s, fy, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, '' AS d, '' AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s, fy",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'province', programme, p, d, s, -1, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, '' AS d, '' AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'subdistrict', programme, p, d, s, fy, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s, fy",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'subdistrict', programme, p, d, s, -1, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s",
    ),
    'sqlite': (
        'DELETE FROM place_summary',
        "INSERT INTO place_summary (programme, province_code, district_code, subdistrict_code, community_id, measure, month, months, households, persons) SELECT programme, province_code, d, s, c, measure, period_start, months, COUNT(*), SUM(persons) FROM (SELECT m.*, CASE p.months WHEN 1 THEN m.month WHEN 6 THEN CASE WHEN m.mo BETWEEN 4 AND 9 THEN printf('%04d-%02d-01', m.y, 4) ELSE printf('%04d-%02d-01', CASE WHEN m.mo >= 10 THEN m.y ELSE m.y - 1 END, 10) END ELSE printf('%04d-%02d-01', CASE WHEN m.mo >= 10 THEN m.y ELSE m.y - 1 END, 10) END AS period_start, p.months FROM (SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000000000000000000000000000') AS c, 'approved' AS measure, date(datetime(COALESCE(approval_dated, approved_at), '+7 hours'), 'start of month') AS month, CAST(strftime('%Y', datetime(COALESCE(approval_dated, approved_at), '+7 hours')) AS INTEGER) AS y, CAST(strftime('%m', datetime(COALESCE(approval_dated, approved_at), '+7 hours')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(approval_dated, approved_at) IS NOT NULL AND stage IN ('completed', 'approved', 'under_construction', 'ready_to_build', 'cancelled') UNION ALL SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000000000000000000000000000') AS c, 'started' AS measure, date(datetime(COALESCE(start_dated, started_at), '+7 hours'), 'start of month') AS month, CAST(strftime('%Y', datetime(COALESCE(start_dated, started_at), '+7 hours')) AS INTEGER) AS y, CAST(strftime('%m', datetime(COALESCE(start_dated, started_at), '+7 hours')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(start_dated, started_at) IS NOT NULL AND stage IN ('under_construction', 'completed') UNION ALL SELECT programme, province_code, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(community_id, '00000000000000000000000000000000') AS c, 'completed' AS measure, date(datetime(COALESCE(completion_dated, completed_at), '+7 hours'), 'start of month') AS month, CAST(strftime('%Y', datetime(COALESCE(completion_dated, completed_at), '+7 hours')) AS INTEGER) AS y, CAST(strftime('%m', datetime(COALESCE(completion_dated, completed_at), '+7 hours')) AS INTEGER) AS mo, COALESCE(household_size, 0) AS persons FROM household_progress WHERE COALESCE(completion_dated, completed_at) IS NOT NULL) AS m CROSS JOIN (SELECT 1 AS months UNION ALL SELECT 6 UNION ALL SELECT 12) AS p) AS mp GROUP BY programme, province_code, d, s, c, measure, period_start, months",
        'DELETE FROM grant_summary',
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'province', programme, p, d, s, fy, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, '' AS d, '' AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s, fy",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'province', programme, p, d, s, -1, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, '' AS d, '' AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'subdistrict', programme, p, d, s, fy, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s, fy",
        "INSERT INTO grant_summary (area_level, programme, province_code, district_code, subdistrict_code, fiscal_year, grants, amount_satang, disbursed_satang) SELECT 'subdistrict', programme, p, d, s, -1, COUNT(*), SUM(amount_satang), SUM(disbursed_satang) FROM (SELECT *, COALESCE(province_code, '') AS p, COALESCE(district_code, '') AS d, COALESCE(subdistrict_code, '') AS s, COALESCE(fiscal_year, 0) AS fy FROM grant_progress WHERE programme IS NOT NULL) AS g GROUP BY programme, p, d, s",
    ),
}


def upgrade() -> None:
    op.create_table('place_summary',
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('subdistrict_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('months', sa.SmallInteger(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('programme', 'province_code', 'district_code', 'subdistrict_code', 'community_id', 'measure', 'month', 'months', 'slot', name=op.f('pk_place_summary'))
    )
    with op.batch_alter_table('place_summary', schema=None) as batch_op:
        batch_op.create_index('ix_place_summary_period', ['months', 'month', 'province_code'], unique=False)

    op.create_table('grant_summary',
    sa.Column('area_level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('province_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('subdistrict_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('grants', sa.Integer(), nullable=False),
    sa.Column('amount_satang', sa.BigInteger(), nullable=False),
    sa.Column('disbursed_satang', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('area_level', 'programme', 'province_code', 'district_code', 'subdistrict_code', 'fiscal_year', 'slot', name=op.f('pk_grant_summary'))
    )
    with op.batch_alter_table('grant_summary', schema=None) as batch_op:
        batch_op.create_index('ix_grant_summary_year', ['area_level', 'fiscal_year'], unique=False)
    for statement in FILL[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table('grant_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_grant_summary_year')

    op.drop_table('grant_summary')
    with op.batch_alter_table('place_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_place_summary_period')

    op.drop_table('place_summary')
