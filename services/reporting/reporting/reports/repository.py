"""The SQL behind a caller's own freshness (the latest event applied to its areas'
rows) and behind the version of the projections a report answer is kept for."""

from datetime import datetime

import sqlalchemy
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from reporting.money.repository import budgets_in_areas
from reporting.projections.models import (
    BudgetMoney,
    FundMoney,
    GrantProgress,
    HouseholdProgress,
    LoanMoney,
    ProjectionState,
    as_utc,
)
from reporting.projections.stage import latest
from reporting.reports.answers import Version
from reporting.sql import in_areas
from reporting.welfare.models import WelfareFund


async def last_event_in_areas(session: AsyncSession, principal: Principal) -> datetime | None:
    """The time of the latest event applied to a row in the caller's areas (households,
    grants, loans, revolving funds, welfare funds, budgets); None when none has reached
    them yet."""
    queries = [
        select(func.max(col(table.last_event_time))).where(in_areas(principal, table))
        for table in (HouseholdProgress, GrantProgress, LoanMoney, FundMoney, WelfareFund)
    ]
    queries.append(
        select(func.max(col(BudgetMoney.last_event_time))).where(budgets_in_areas(principal))
    )
    found = [as_utc((await session.exec(query)).one()) for query in queries]
    return latest(*found)


# SQLAlchemy's select: sqlmodel's takes at most four columns.
_MARKS = sqlalchemy.select(
    col(ProjectionState.projection),
    col(ProjectionState.stream),
    col(ProjectionState.last_event_time),
    col(ProjectionState.last_applied_at),
    col(ProjectionState.events_applied),
).order_by(col(ProjectionState.projection), col(ProjectionState.stream))


async def projections_version(session: AsyncSession) -> Version:
    """Every projection's high-water mark on every stream, as they stand. Each commit of
    a projection moves one (its ``last_applied_at`` at least), in the same transaction
    as the rows it changes: while this is unchanged, so is every report."""
    result = await (await session.connection()).execute(_MARKS)
    return tuple(result.all())
