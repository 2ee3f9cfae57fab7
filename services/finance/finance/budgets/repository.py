"""All SQL about budgets and their allocations."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, CursorResult, case, func, null, tuple_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.clock import utcnow
from baan_shared.pages import Page, Paging, page_by_id
from finance.budgets.areas import BudgetLevel
from finance.budgets.models import Budget, BudgetAllocation
from finance.grants.models import Grant
from finance.welfare_matches.models import WelfareMatchPayment


async def get(session: AsyncSession, budget_id: uuid.UUID) -> Budget | None:
    return await session.get(Budget, budget_id)


async def find(
    session: AsyncSession, programme: str, fiscal_year: int, level: BudgetLevel, code: str
) -> Budget | None:
    query = select(Budget).where(
        Budget.programme == programme,
        Budget.fiscal_year == fiscal_year,
        Budget.area_level == level,
        Budget.area_code == code,
    )
    return (await session.exec(query)).first()


async def covering(
    session: AsyncSession,
    programme: str,
    fiscal_year: int,
    areas: Sequence[tuple[BudgetLevel, str]],
) -> list[Budget]:
    """The programme's budgets for the year over any of ``areas``."""
    query = select(Budget).where(
        Budget.programme == programme,
        Budget.fiscal_year == fiscal_year,
        tuple_(col(Budget.area_level), col(Budget.area_code)).in_(
            [(level, code) for level, code in areas]
        ),
    )
    return list((await session.exec(query)).all())


async def add_allocated(session: AsyncSession, budget_id: uuid.UUID, amount_satang: int) -> None:
    """Raise the allocation in the database, not from a value read earlier."""
    await session.exec(
        update(Budget)
        .where(col(Budget.id) == budget_id)
        .values(allocated_satang=col(Budget.allocated_satang) + amount_satang, updated_at=utcnow())
    )


async def take_back(session: AsyncSession, budget_id: uuid.UUID, amount_satang: int) -> bool:
    """Lower the allocation if that much is still free (not reserved); ``False`` if not."""
    result = await session.exec(
        update(Budget)
        .where(
            col(Budget.id) == budget_id,
            col(Budget.allocated_satang) - col(Budget.committed_satang) >= amount_satang,
        )
        .values(allocated_satang=col(Budget.allocated_satang) - amount_satang, updated_at=utcnow())
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def reserve(session: AsyncSession, budget_id: uuid.UUID, amount_satang: int) -> bool:
    """Reserve ``amount_satang`` if that much is still free; ``False`` if not.

    One conditional UPDATE: PostgreSQL locks the row and re-checks the condition
    against the committed value when a concurrent reservation commits first, so
    racing approvals can never take more than is free. SQLite runs one writer
    at a time.
    """
    result = await session.exec(
        update(Budget)
        .where(
            col(Budget.id) == budget_id,
            col(Budget.allocated_satang) - col(Budget.committed_satang) >= amount_satang,
        )
        .values(committed_satang=col(Budget.committed_satang) + amount_satang, updated_at=utcnow())
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def release(session: AsyncSession, budget_id: uuid.UUID, amount_satang: int) -> None:
    """Give back a reservation (the grant moved to another budget)."""
    await session.exec(
        update(Budget)
        .where(col(Budget.id) == budget_id)
        .values(committed_satang=col(Budget.committed_satang) - amount_satang, updated_at=utcnow())
    )


async def allocations(session: AsyncSession, budget_id: uuid.UUID) -> list[BudgetAllocation]:
    query = (
        select(BudgetAllocation)
        .where(BudgetAllocation.budget_id == budget_id)
        .order_by(col(BudgetAllocation.allocated_at), col(BudgetAllocation.id))
    )
    return list((await session.exec(query)).all())


async def disbursed(session: AsyncSession, budget_id: uuid.UUID) -> int:
    """What the grants reserved from the budget have been paid so far, and the welfare
    funds' matches paid from it (reserved and paid at once)."""
    grants = select(func.coalesce(func.sum(Grant.disbursed_satang), 0)).where(
        Grant.budget_id == budget_id
    )
    matches = select(func.coalesce(func.sum(WelfareMatchPayment.amount_satang), 0)).where(
        WelfareMatchPayment.budget_id == budget_id
    )
    return int((await session.exec(grants)).one()) + int((await session.exec(matches)).one())


@dataclass(frozen=True)
class BudgetFilter:
    programme: str | None = None
    fiscal_year: int | None = None
    area_level: BudgetLevel | None = None
    area_code: str | None = None


async def page(
    session: AsyncSession, principal: Principal, where: BudgetFilter, paging: Paging
) -> Page[Budget]:
    return await page_by_id(session, Budget, _in_areas(principal), where, paging)


def _in_areas(principal: Principal) -> ColumnElement[bool]:
    """The client's areas, in SQL: a budget's official codes derived from its level
    and code as ``areas.official_codes`` does (national, regional and project
    budgets name none, so only national clients see them)."""
    level, code = col(Budget.area_level), col(Budget.area_code)
    province = case(
        (level == BudgetLevel.PROVINCE.value, code),
        (
            level.in_([BudgetLevel.DISTRICT.value, BudgetLevel.SUBDISTRICT.value]),
            func.substr(code, 1, 2),
        ),
        else_=null(),
    )
    district = case(
        (level == BudgetLevel.DISTRICT.value, code),
        (level == BudgetLevel.SUBDISTRICT.value, func.substr(code, 1, 4)),
        else_=null(),
    )
    subdistrict = case((level == BudgetLevel.SUBDISTRICT.value, code), else_=null())
    return area_filter(principal, province=province, district=district, subdistrict=subdistrict)
