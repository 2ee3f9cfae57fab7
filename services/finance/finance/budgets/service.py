"""Budget rules: allocate money to a programme × fiscal year × area, and reserve
households' grants from the most specific budget that covers them.

An allocation is one balanced ledger entry (the appropriation lands in cash)
and one ``budget.allocated`` event. A reservation is a conditional update of
the budget row, so approvals racing for the last of a budget cannot overspend
it (see ``repository.reserve``). Nothing here commits; the caller's unit of
work does.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, not_found_unless_covered
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import BudgetAllocated
from baan_shared.ids import new_id
from baan_shared.outbox import record_event
from baan_shared.pages import Page, Paging
from baan_shared.reference import region_of_province
from finance import SERVICE_NAME
from finance.budgets import repository
from finance.budgets.areas import (
    SPECIFICITY,
    AreaError,
    BudgetLevel,
    areas_covering,
    check_area,
    official_codes,
)
from finance.budgets.models import Budget, BudgetAllocation
from finance.budgets.repository import BudgetFilter
from finance.budgets.schemas import BudgetAllocate
from finance.ledger import service as ledger
from finance.ledger.chart import BUDGET_APPROPRIATIONS, CASH
from finance.ledger.journal import Line

SOURCE = f"/services/{SERVICE_NAME}"


async def get(
    session: AsyncSession, budget_id: uuid.UUID, principal: Principal | None = None
) -> Budget:
    """The budget; with ``principal``, the same 404 for one outside the client's areas
    as for a missing one (``does_not_exist``). National, regional and project budgets
    name no official area: only national clients see them."""
    what = f"budget {budget_id}"
    budget = await repository.get(session, budget_id)
    if budget is None:
        raise does_not_exist(what)
    if principal is not None:
        province, district, subdistrict = official_codes(
            BudgetLevel(budget.area_level), budget.area_code
        )
        not_found_unless_covered(
            principal, what, province=province, district=district, subdistrict=subdistrict
        )
    return budget


async def allocate(
    session: AsyncSession,
    body: BudgetAllocate,
) -> tuple[Budget, BudgetAllocation]:
    """Allocate ``body.amount_satang``; returns the budget and the allocation."""
    try:
        code = check_area(body.area_level, body.area_code)
    except AreaError as exc:
        raise Unprocessable(str(exc), errors=[field_error("body.area_code", str(exc))]) from exc
    budget = await repository.find(session, body.programme, body.fiscal_year, body.area_level, code)
    if budget is None:
        budget = Budget(
            programme=body.programme,
            fiscal_year=body.fiscal_year,
            area_level=body.area_level,
            area_code=code,
        )
        try:
            async with session.begin_nested():
                session.add(budget)
        except IntegrityError:
            # A concurrent first allocation created it: add to theirs.
            budget = await repository.find(
                session, body.programme, body.fiscal_year, body.area_level, code
            )
            assert budget is not None
    now = utcnow()
    allocation_id = new_id()
    entry = await ledger.post_entry(
        session,
        [
            Line.debit(CASH, body.amount_satang),
            Line.credit(BUDGET_APPROPRIATIONS, body.amount_satang),
        ],
        description=f"{body.programme} budget FY {body.fiscal_year} "
        f"{body.area_level.value} {code} allocated",
        reference=str(budget.id),
        occurred_at=now,
    )
    allocation = BudgetAllocation(
        id=allocation_id,
        budget_id=budget.id,
        amount_satang=body.amount_satang,
        note=body.note,
        journal_entry_id=entry.id,
        allocated_at=now,
    )
    session.add(allocation)
    await repository.add_allocated(session, budget.id, body.amount_satang)
    await session.flush()
    await session.refresh(budget)
    await record_event(
        session,
        BudgetAllocated(
            budget_id=budget.id,
            allocation_id=allocation.id,
            programme=budget.programme,
            fiscal_year=budget.fiscal_year,
            area_level=budget.area_level.value,
            area_code=budget.area_code,
            amount_satang=body.amount_satang,
            allocated_total_satang=budget.allocated_satang,
            **_where(budget),
        ),
        source=SOURCE,
    )
    return budget, allocation


async def reverse_allocation(
    session: AsyncSession, budget_id: uuid.UUID, allocation_id: uuid.UUID, reason: str
) -> tuple[Budget, BudgetAllocation]:
    """Undo a mis-keyed allocation by a reversing ledger entry, if the money is still free.

    Published as ``budget.allocated`` with a negative amount (and the allocation it
    reverses), so consumers that add amounts or read the total stay right.
    """
    budget = await get(session, budget_id)
    allocation = await session.get(BudgetAllocation, allocation_id)
    if allocation is None or allocation.budget_id != budget.id:
        # The budget is the client's (the router checked): another budget's allocation,
        # in whatever area, is as missing as one that never was.
        raise does_not_exist(f"budget {budget_id}'s allocation {allocation_id}")
    if allocation.reversed_at is not None:
        raise Conflict(f"allocation {allocation_id} is already reversed")
    if not await repository.take_back(session, budget.id, allocation.amount_satang):
        await session.refresh(budget)
        raise Conflict(
            f"only {budget.free_satang} satang of the budget are free; the allocation of "
            f"{allocation.amount_satang} cannot be reversed while grants are reserved from it"
        )
    entry = await ledger.reverse_entry(session, allocation.journal_entry_id, reason=reason)
    allocation.reversal_entry_id = entry.id
    allocation.reversal_reason = reason
    allocation.reversed_at = utcnow()
    session.add(allocation)
    await session.flush()
    await session.refresh(budget)
    await record_event(
        session,
        BudgetAllocated(
            budget_id=budget.id,
            allocation_id=allocation.id,
            programme=budget.programme,
            fiscal_year=budget.fiscal_year,
            area_level=budget.area_level.value,
            area_code=budget.area_code,
            amount_satang=-allocation.amount_satang,
            allocated_total_satang=budget.allocated_satang,
            reverses_allocation=True,
            **_where(budget),
        ),
        source=SOURCE,
    )
    return budget, allocation


def _where(budget: Budget) -> dict[str, str | None]:
    """The province and regional office a budget's area lies in, where it has one."""
    if budget.area_level is BudgetLevel.REGION:
        return {"province_code": None, "region_code": budget.area_code}
    if budget.area_level in (BudgetLevel.PROVINCE, BudgetLevel.DISTRICT, BudgetLevel.SUBDISTRICT):
        province = budget.area_code[:2]
        office = region_of_province(province)
        return {"province_code": province, "region_code": office.code if office else None}
    return {"province_code": None, "region_code": None}


@dataclass(frozen=True)
class Reservation:
    """The outcome of reserving a grant: the budget it came from, or why none could."""

    budget: Budget | None
    refusal: str | None = None


async def drawn_on(
    session: AsyncSession,
    *,
    programme: str,
    fiscal_year: int,
    province_code: str,
    district_code: str | None,
    subdistrict_code: str | None,
    project_id: uuid.UUID | None = None,
) -> Budget | None:
    """The budget a grant there is reserved from: the most specific one covering it."""
    areas = areas_covering(province_code, district_code, subdistrict_code, project_id=project_id)
    budgets = await repository.covering(session, programme, fiscal_year, areas)
    if not budgets:
        return None
    rank = {area: number for number, area in enumerate(areas)}
    return min(
        budgets, key=lambda b: (rank[(b.area_level, b.area_code)], SPECIFICITY.index(b.area_level))
    )


async def reserve(
    session: AsyncSession,
    *,
    programme: str,
    fiscal_year: int,
    province_code: str,
    district_code: str | None,
    subdistrict_code: str | None,
    amount_satang: int,
    project_id: uuid.UUID | None = None,
    what: str = "the grant",
    where: str = "the household",
) -> Reservation:
    """Reserve a grant (or ``what``) from the most specific budget covering the
    household (or ``where``).

    Only that budget is tried: a tambon with its own budget lives within it and
    does not spill into the province's, nor a project into its tambon's.
    """
    budget = await drawn_on(
        session,
        programme=programme,
        fiscal_year=fiscal_year,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        project_id=project_id,
    )
    if budget is None:
        return Reservation(None, f"no {programme} budget for FY {fiscal_year} covers {where}")
    if not await repository.reserve(session, budget.id, amount_satang):
        await session.refresh(budget)
        return Reservation(
            None,
            f"the {programme} budget for FY {fiscal_year} in {budget.area_level.value} "
            f"{budget.area_code} has {budget.free_satang} satang free, "
            f"{what} needs {amount_satang}",
        )
    await session.refresh(budget)
    return Reservation(budget)


async def move_to_project(
    session: AsyncSession,
    *,
    current: uuid.UUID,
    programme: str,
    fiscal_year: int,
    project_id: uuid.UUID,
    amount_satang: int,
) -> Budget | None:
    """Move an unpaid grant's reservation to its project's own budget, if it has one
    with room; ``None`` (nothing moved) otherwise.

    The project is known only once construction groups the house into one, after
    the household was approved and its grant reserved from its area's budget.
    Reserving in the project's budget is the same conditional update as any
    reservation, so it cannot overspend; the old reservation is given back in
    the same transaction.
    """
    budget = await repository.find(
        session, programme, fiscal_year, BudgetLevel.PROJECT, str(project_id)
    )
    if budget is None or budget.id == current:
        return None
    if not await repository.reserve(session, budget.id, amount_satang):
        return None
    await repository.release(session, current, amount_satang)
    await session.refresh(budget)
    return budget


# --- reads the router serves (the repository behind the service) ----------------------


async def page(
    session: AsyncSession, principal: Principal, where: BudgetFilter, paging: Paging
) -> Page[Budget]:
    return await repository.page(session, principal, where, paging)


async def disbursed(session: AsyncSession, budget_id: uuid.UUID) -> int:
    """What the grants reserved from the budget have been paid so far."""
    return await repository.disbursed(session, budget_id)


async def allocations(session: AsyncSession, budget_id: uuid.UUID) -> list[BudgetAllocation]:
    return await repository.allocations(session, budget_id)
