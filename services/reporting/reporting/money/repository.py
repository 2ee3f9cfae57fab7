"""The money report's SQL: sums per programme and area, in the database."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, null, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from reporting.projections import summaries
from reporting.projections.models import (
    PROVINCE_LEVEL,
    SUBDISTRICT_LEVEL,
    BudgetMoney,
    FundMoney,
    GrantProgress,
    GrantSummary,
    LoanMoney,
)
from reporting.projections.repository import summary_level
from reporting.sql import in_areas, satang_sum


@dataclass(frozen=True)
class BudgetSum:
    programme: str
    area_level: str
    area_code: str
    allocated_satang: int


def budgets_in_areas(principal: Principal) -> ColumnElement[bool]:
    """The client's budgets as a WHERE clause (ADR 0003), as finance's own list has them:
    a budget's official codes derived from its level and code, so a province's client
    sees its province's budgets and those of its districts and sub-districts, a
    district's client its district's and its sub-districts'. National, regional and
    project budgets name no official area: only national clients see them."""
    level, code = col(BudgetMoney.area_level), col(BudgetMoney.area_code)
    province = case(
        (level == "province", code),
        (level.in_(["district", "subdistrict"]), func.substr(code, 1, 2)),
        else_=null(),
    )
    district = case(
        (level == "district", code),
        (level == "subdistrict", func.substr(code, 1, 4)),
        else_=null(),
    )
    subdistrict = case((level == "subdistrict", code), else_=null())
    return area_filter(principal, province=province, district=district, subdistrict=subdistrict)


def _budget_covered(principal: Principal | None) -> ColumnElement[bool]:
    return true() if principal is None else budgets_in_areas(principal)


async def budgets(
    session: AsyncSession,
    *,
    fiscal_year: int | None,
    programme: str | None,
    principal: Principal | None = None,
) -> list[BudgetSum]:
    """Allocated per programme × budget area; budgets are few (one per area and year)."""
    conditions = [_budget_covered(principal)]
    if fiscal_year is not None:
        conditions.append(col(BudgetMoney.fiscal_year) == fiscal_year)
    if programme is not None:
        conditions.append(col(BudgetMoney.programme) == programme)
    keys = (
        col(BudgetMoney.programme),
        col(BudgetMoney.area_level),
        col(BudgetMoney.area_code),
    )
    query = (
        select(*keys, satang_sum(BudgetMoney.allocated_satang)).where(*conditions).group_by(*keys)
    )
    return [BudgetSum(r[0], r[1], r[2], int(r[3])) for r in (await session.exec(query)).all()]


@dataclass(frozen=True)
class GrantSum:
    programme: str
    area_code: str | None
    reserved_satang: int
    disbursed_satang: int


def _area_column(table: Any, group_by: str) -> Any:
    return col(getattr(table, f"{group_by}_code"))


async def grants(
    session: AsyncSession,
    *,
    group_by: str,
    fiscal_year: int | None,
    programme: str | None,
    province_codes: Collection[str] | None,
    principal: Principal | None = None,
) -> list[GrantSum]:
    """Grant money per programme × area (``group_by``: province, district, subdistrict),
    from the grant summaries: a few rows per programme and area, however many grants."""
    # Province rows for a report by province of whole provinces; else sub-district rows
    # summed up to the areas asked (a caller bound to districts filters them).
    level = summary_level(principal) if group_by == "province" else SUBDISTRICT_LEVEL
    summary = GrantSummary
    area = _area_column(summary, group_by)
    conditions: list[Any] = [
        col(summary.area_level) == level,
        col(summary.fiscal_year) == (summaries.EVERY if fiscal_year is None else fiscal_year),
    ]
    if principal is not None:
        if level == PROVINCE_LEVEL:
            conditions.append(area_filter(principal, province=col(summary.province_code)))
        else:
            conditions.append(in_areas(principal, summary))
    if programme is not None:
        conditions.append(col(summary.programme) == programme)
    if province_codes is not None:
        conditions.append(col(summary.province_code).in_(list(province_codes)))
    programme_column = col(summary.programme)
    query = (
        select(
            programme_column,
            area,
            satang_sum(summary.amount_satang),
            satang_sum(summary.disbursed_satang),
        )
        .where(*conditions)
        .group_by(programme_column, area)
        .having(func.sum(col(summary.grants)) > 0)
    )
    return [
        GrantSum(str(r[0]), r[1] or None, int(r[2]), int(r[3]))
        for r in (await session.exec(query)).all()
    ]


async def grants_from_rows(
    session: AsyncSession,
    *,
    group_by: str,
    fiscal_year: int | None,
    programme: str | None,
    province_codes: Collection[str] | None,
    principal: Principal | None = None,
) -> list[GrantSum]:
    """``grants`` over every grant (the summaries' oracle)."""
    area = _area_column(GrantProgress, group_by)
    conditions: list[ColumnElement[bool]] = [
        col(GrantProgress.programme).is_not(None),
        in_areas(principal, GrantProgress),
    ]
    if fiscal_year is not None:
        conditions.append(col(GrantProgress.fiscal_year) == fiscal_year)
    if programme is not None:
        conditions.append(col(GrantProgress.programme) == programme)
    if province_codes is not None:
        conditions.append(col(GrantProgress.province_code).in_(list(province_codes)))
    programme_column = col(GrantProgress.programme)
    columns: list[Any] = [
        programme_column,
        area,
        satang_sum(GrantProgress.amount_satang),
        satang_sum(GrantProgress.disbursed_satang),
    ]
    query = select(*columns).where(*conditions).group_by(programme_column, area)
    return [
        GrantSum(str(r[0]), r[1], int(r[2]), int(r[3])) for r in (await session.exec(query)).all()
    ]


@dataclass(frozen=True)
class LoanSum:
    programme: str
    area_code: str | None
    loans: int
    principal_approved_satang: int
    disbursed_satang: int
    repaid_satang: int
    outstanding_satang: int
    in_arrears: int
    overdue_satang: int
    outstanding_in_arrears_satang: int


async def loans(
    session: AsyncSession,
    *,
    group_by: str,
    programme: str | None,
    province_codes: Collection[str] | None,
    principal: Principal | None = None,
) -> list[LoanSum]:
    area = _area_column(LoanMoney, group_by)
    conditions: list[ColumnElement[bool]] = [in_areas(principal, LoanMoney)]
    if programme is not None:
        conditions.append(col(LoanMoney.programme) == programme)
    if province_codes is not None:
        conditions.append(col(LoanMoney.province_code).in_(list(province_codes)))
    in_arrears = col(LoanMoney.overdue_satang) > 0
    programme_column = col(LoanMoney.programme)
    columns: list[Any] = [
        programme_column,
        area,
        func.count(),
        satang_sum(LoanMoney.principal_approved_satang),
        satang_sum(LoanMoney.disbursed_satang),
        satang_sum(col(LoanMoney.principal_repaid_satang) + col(LoanMoney.interest_paid_satang)),
        satang_sum(LoanMoney.outstanding_satang),
        func.sum(case((in_arrears, 1), else_=0)),
        satang_sum(LoanMoney.overdue_satang),
        satang_sum(case((in_arrears, col(LoanMoney.outstanding_satang)), else_=0)),
    ]
    query = select(*columns).where(*conditions).group_by(programme_column, area)
    return [
        LoanSum(str(r[0]), r[1], *(int(n or 0) for n in r[2:]))
        for r in (await session.exec(query)).all()
    ]


@dataclass(frozen=True)
class FundSum:
    area_code: str | None
    funds: int
    balance_satang: int
    in_satang: int
    out_satang: int


async def funds(
    session: AsyncSession,
    *,
    group_by: str,
    programme: str | None,
    province_codes: Collection[str] | None,
    principal: Principal | None = None,
) -> list[FundSum]:
    """Revolving funds' balances per area (``group_by``: province, district, subdistrict).

    A fund serves a place, not a programme, unless finance says it serves one: with a
    ``programme`` asked for, funds of another programme are left out, funds of none kept.
    """
    area = _area_column(FundMoney, group_by)
    conditions: list[ColumnElement[bool]] = [in_areas(principal, FundMoney)]
    if programme is not None:
        conditions.append(
            or_(col(FundMoney.programme).is_(None), col(FundMoney.programme) == programme)
        )
    if province_codes is not None:
        conditions.append(col(FundMoney.province_code).in_(list(province_codes)))
    columns: list[Any] = [
        area,
        func.count(),
        satang_sum(FundMoney.balance_satang),
        satang_sum(FundMoney.in_satang),
        satang_sum(FundMoney.out_satang),
    ]
    query = select(*columns).where(*conditions).group_by(area)
    return [
        FundSum(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]))
        for r in (await session.exec(query)).all()
    ]
