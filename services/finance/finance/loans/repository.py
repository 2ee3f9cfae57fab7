"""All SQL about loans, their instalments and repayments."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.pages import Page, Paging, page_by_id
from finance.loans.models import (
    BorrowerType,
    Loan,
    LoanInstalment,
    LoanRepayment,
    LoanRepaymentAllocation,
    LoanRescheduling,
    LoanStatus,
)


async def get(
    session: AsyncSession, loan_id: uuid.UUID, *, for_update: bool = False
) -> Loan | None:
    query = select(Loan).where(Loan.id == loan_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def principal_lent(
    session: AsyncSession,
    borrower_type: BorrowerType,
    borrower_id: uuid.UUID,
    programme: str,
    principal: Principal | None = None,
) -> int:
    """The principal of every loan the borrower has in the programme: in every area,
    or with ``principal`` only in its areas."""
    query = select(func.coalesce(func.sum(Loan.principal_satang), 0)).where(
        Loan.borrower_type == borrower_type,
        Loan.borrower_id == borrower_id,
        Loan.programme == programme,
    )
    if principal is not None:
        query = query.where(_in_areas(principal))
    return int((await session.exec(query)).one())


async def household_loans(
    session: AsyncSession, household_id: uuid.UUID, principal: Principal | None
) -> tuple[int, int]:
    """How many loans the household has had and the principal still owed on them:
    only those in the principal's areas, or all of them with ``principal=None``."""
    query = select(
        func.count(), func.coalesce(func.sum(Loan.outstanding_principal_satang), 0)
    ).where(Loan.borrower_type == BorrowerType.HOUSEHOLD, Loan.borrower_id == household_id)
    if principal is not None:
        query = query.where(_in_areas(principal))
    count, outstanding = (await session.exec(query)).one()
    return int(count), int(outstanding)


async def instalments(
    session: AsyncSession, loan_id: uuid.UUID, version: int | None = None
) -> list[LoanInstalment]:
    """The instalments of one schedule version, or of every version (the history)."""
    query = select(LoanInstalment).where(LoanInstalment.loan_id == loan_id)
    if version is not None:
        query = query.where(LoanInstalment.schedule_version == version)
    query = query.order_by(col(LoanInstalment.schedule_version), col(LoanInstalment.number))
    return list((await session.exec(query)).all())


async def reschedulings(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanRescheduling]:
    query = (
        select(LoanRescheduling)
        .where(LoanRescheduling.loan_id == loan_id)
        .order_by(col(LoanRescheduling.schedule_version))
    )
    return list((await session.exec(query)).all())


async def repayment_by_reference(session: AsyncSession, reference: str) -> LoanRepayment | None:
    query = select(LoanRepayment).where(LoanRepayment.payment_reference == reference)
    return (await session.exec(query)).first()


async def repayment(
    session: AsyncSession, loan_id: uuid.UUID, repayment_id: uuid.UUID
) -> LoanRepayment | None:
    query = select(LoanRepayment).where(
        LoanRepayment.id == repayment_id, LoanRepayment.loan_id == loan_id
    )
    return (await session.exec(query)).first()


async def allocations_of(
    session: AsyncSession, repayment_id: uuid.UUID
) -> list[tuple[LoanRepaymentAllocation, LoanInstalment]]:
    """What the repayment paid, instalment by instalment."""
    query = (
        select(LoanRepaymentAllocation, LoanInstalment)
        .join(LoanInstalment, col(LoanInstalment.id) == col(LoanRepaymentAllocation.instalment_id))
        .where(LoanRepaymentAllocation.repayment_id == repayment_id)
        .order_by(col(LoanInstalment.number))
    )
    return [(a, i) for a, i in (await session.exec(query)).all()]


async def repayments(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanRepayment]:
    query = (
        select(LoanRepayment)
        .where(LoanRepayment.loan_id == loan_id)
        .order_by(col(LoanRepayment.recorded_at), col(LoanRepayment.id))
    )
    return list((await session.exec(query)).all())


async def active(session: AsyncSession, principal: Principal) -> list[Loan]:
    """The loans being repaid in the principal's areas."""
    query = (
        select(Loan)
        .where(Loan.status == LoanStatus.ACTIVE, _in_areas(principal))
        .order_by(col(Loan.id))
    )
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class LoanFilter:
    borrower_id: uuid.UUID | None = None
    programme: str | None = None
    status: LoanStatus | None = None


async def page(
    session: AsyncSession, principal: Principal, where: LoanFilter, paging: Paging
) -> Page[Loan]:
    return await page_by_id(session, Loan, _in_areas(principal), where, paging)


def _in_areas(principal: Principal) -> ColumnElement[bool]:
    return area_filter(
        principal,
        province=Loan.province_code,
        district=Loan.district_code,
        subdistrict=Loan.subdistrict_code,
    )
