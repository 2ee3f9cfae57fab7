"""The SQL behind a caller's own freshness (the latest event applied to its areas'
rows) and behind the version a report answer is kept for: the projections' marks, and
the count of edits of what the reports read that is edited through the API."""

from datetime import datetime

import sqlalchemy
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.clock import utcnow
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
from reporting.reports.models import ReportEdit
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


_EDITS = sqlalchemy.select(col(ReportEdit.name), col(ReportEdit.edits)).order_by(
    col(ReportEdit.name)
)


async def edits_version(session: AsyncSession) -> Version:
    """How many times each edited input of the reports has changed (``report_edits``)."""
    result = await (await session.connection()).execute(_EDITS)
    return tuple(result.all())


async def record_edit(session: AsyncSession, name: str) -> None:
    """One more edit of ``name``, in the caller's transaction (with the rows it edits):
    every answer kept for the version before is made anew."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ReportEdit).values(name=name, edits=1, changed_at=utcnow())
    await session.exec(
        insert.on_conflict_do_update(
            index_elements=[col(ReportEdit.name)],
            set_={"edits": col(ReportEdit.edits) + 1, "changed_at": insert.excluded.changed_at},
        )
    )
