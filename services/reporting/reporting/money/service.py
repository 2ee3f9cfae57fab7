"""The money report: budgets, grants and loans per programme × area, and the
revolving funds' balances per area.

Budgets are allocated at any level (country, regional office, province,
district, sub-district), so a budget shows in a row only at its own level or a
coarser one: a province's budget counts in its region's row and the country's,
the country's budget only in the country's total. Grants and loans belong to a
household's (or borrower's) place and roll up from it. Budgets and grants are
of a fiscal year; loans are a stock (what is outstanding now), never filtered
by year. Revolving funds serve a place, not a programme, so they have their own
rows per area; like loans they are a stock, never filtered by year.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.reference import current_level
from reporting.geography import (
    COUNTRY_CODE,
    AreaLevel,
    area_names,
    check_area,
    check_rows_level,
    office_map,
    place_at,
    scope_of,
)
from reporting.money import repository
from reporting.money.schemas import FundBalanceRow, MoneyFigures, MoneyReport, MoneyRow
from reporting.reports.answers import Answer, AnswerCache
from reporting.reports.service import as_of, kept_model_answer

LEVELS = list(AreaLevel)
# Finance's budget levels are the same words, and project (no place: in no row).
BUDGET_LEVELS = {level.value: level for level in AreaLevel}
FIGURES = [name for name in MoneyFigures.model_fields if name != "arrears_ratio_percent"]


@dataclass(frozen=True)
class MoneyQuery:
    fiscal_year: int | None = None
    level: AreaLevel = AreaLevel.REGION
    programme: str | None = None
    region: str | None = None
    province_code: str | None = None
    principal: Principal | None = None
    """The caller: only money in its areas counts (None: every area)."""

    @property
    def scope(self) -> tuple[AreaLevel, str]:
        return scope_of(self.region, self.province_code)


def _check(query: MoneyQuery) -> None:
    check_area(query.region, query.province_code)
    check_rows_level(query.level, query.scope[0])


def budget_area_at(level: AreaLevel, budget_level: str, budget_code: str) -> str | None:
    """The area at ``level`` a budget counts in; None when the budget covers more than
    one such area (the country's budget has no region). A row stored before the
    vocabulary was settled may say "national" for the country."""
    own = BUDGET_LEVELS.get(current_level(budget_level))
    if own is None or LEVELS.index(own) < LEVELS.index(level):
        return None
    if own == AreaLevel.COUNTRY:
        return COUNTRY_CODE
    if own == AreaLevel.REGION:
        return budget_code if level == AreaLevel.REGION else COUNTRY_CODE
    return place_at(level, budget_code)


def _within(level: AreaLevel, code: str, scope: tuple[AreaLevel, str]) -> bool:
    scope_level, scope_code = scope
    if scope_level == AreaLevel.COUNTRY:
        return True
    if scope_level == AreaLevel.REGION:
        return (
            code == scope_code
            if level == AreaLevel.REGION
            else place_at(AreaLevel.REGION, code) == scope_code
        )
    return code.startswith(scope_code)


def arrears_ratio(in_arrears_satang: int, outstanding_satang: int) -> float | None:
    if not outstanding_satang:
        return None
    ratio = Decimal(in_arrears_satang * 100) / Decimal(outstanding_satang)
    return float(ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _row(programme: str, level: AreaLevel, code: str | None, got: dict[str, int]) -> MoneyRow:
    name_th, name_en = area_names(level, code) if code is not None else (None, None)
    return MoneyRow(
        programme=programme,
        area_level=level,
        area_code=code,
        area_name_th=name_th,
        area_name_en=name_en,
        **got,
        arrears_ratio_percent=arrears_ratio(
            got["loan_outstanding_in_arrears_satang"], got["loan_outstanding_satang"]
        ),
    )


FUND_FIGURES = [name for name in FundBalanceRow.model_fields if name.startswith("revolving_fund")]


def _fund_row(level: AreaLevel, code: str | None, got: dict[str, int]) -> FundBalanceRow:
    name_th, name_en = area_names(level, code) if code is not None else (None, None)
    return FundBalanceRow(
        area_level=level, area_code=code, area_name_th=name_th, area_name_en=name_en, **got
    )


async def money_answer(
    session: AsyncSession, query: MoneyQuery, answers: AnswerCache | None = None
) -> Answer:
    """The money report as its JSON bytes, kept while the projections stand still
    (``reports.service.kept_answer``): budgets, grants, loans and funds are all
    projected from events."""

    key = (
        "money",
        query.fiscal_year,
        query.level,
        query.programme,
        query.region,
        query.province_code,
    )
    return await kept_model_answer(
        session, answers, key, query.principal, lambda: money_report(session, query)
    )


async def money_report(session: AsyncSession, query: MoneyQuery) -> MoneyReport:
    _check(query)
    fresh_as_of = await as_of(session, query.principal)
    scope = query.scope
    provinces = _provinces_in_scope(query)
    sums = _Sums()
    await _add_budgets(session, query, sums)
    await _add_grants(session, query, provinces, sums)
    await _add_loans(session, query, provinces, sums)
    fund_cells, fund_total = await _fund_sums(session, query, provinces)
    programmes = sorted({programme for programme, _ in sums.cells} | set(sums.totals))
    rows = [
        _row(programme, query.level, code, sums.cells[(programme, code)])
        for programme, code in sorted(sums.cells, key=lambda k: (k[0], k[1] is None, k[1] or ""))
    ]
    return MoneyReport(
        as_of=fresh_as_of,
        fiscal_year=query.fiscal_year,
        level=query.level,
        rows=rows,
        totals=[_row(p, scope[0], scope[1], sums.totals[p]) for p in programmes],
        revolving_funds=[
            _fund_row(query.level, code, fund_cells[code])
            for code in sorted(fund_cells, key=lambda c: (c is None, c or ""))
        ],
        revolving_funds_total=_fund_row(scope[0], scope[1], fund_total),
    )


@dataclass
class _Sums:
    """The money figures by (programme, area) at the query's level, and by programme
    over the query's whole scope."""

    cells: dict[tuple[str, str | None], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    )
    totals: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    )

    def add(self, programme: str, area: str | None, figures: dict[str, int]) -> None:
        for name, value in figures.items():
            self.cells[(programme, area)][name] += value
            self.totals[programme][name] += value


def _provinces_in_scope(query: MoneyQuery) -> list[str] | None:
    """The provinces the query is limited to (its province, or its region's); None: all."""
    if query.province_code is not None:
        return [query.province_code]
    if query.region is not None:
        return list(office_map().regions[query.region].provinces)
    return None


def _group_by(query: MoneyQuery) -> str:
    """The level the repository sums at: the query's, or provinces for coarser ones."""
    fine = query.level in (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)
    return query.level.value if fine else AreaLevel.PROVINCE.value


def _area_of(query: MoneyQuery, code: str | None) -> str | None:
    """The area at the query's level holding the summed area ``code``."""
    fine = query.level in (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)
    return code if fine else place_at(query.level, code)


async def _add_budgets(session: AsyncSession, query: MoneyQuery, sums: _Sums) -> None:
    """Budgets allocated: counted in the total where the budget's area lies at the scope,
    and in the cell of its area at the query's level when that lies within the scope."""
    scope = query.scope
    for budget in await repository.budgets(
        session,
        fiscal_year=query.fiscal_year,
        programme=query.programme,
        principal=query.principal,
    ):
        if budget_area_at(scope[0], budget.area_level, budget.area_code) == scope[1]:
            sums.totals[budget.programme]["budget_allocated_satang"] += budget.allocated_satang
        code = budget_area_at(query.level, budget.area_level, budget.area_code)
        if code is not None and _within(query.level, code, scope):
            sums.cells[(budget.programme, code)]["budget_allocated_satang"] += (
                budget.allocated_satang
            )


async def _add_grants(
    session: AsyncSession, query: MoneyQuery, provinces: list[str] | None, sums: _Sums
) -> None:
    """Grants reserved and disbursed."""
    for grant in await repository.grants(
        session,
        group_by=_group_by(query),
        fiscal_year=query.fiscal_year,
        programme=query.programme,
        province_codes=provinces,
        principal=query.principal,
    ):
        sums.add(
            grant.programme,
            _area_of(query, grant.area_code),
            {
                "grant_reserved_satang": grant.reserved_satang,
                "grant_disbursed_satang": grant.disbursed_satang,
            },
        )


async def _add_loans(
    session: AsyncSession, query: MoneyQuery, provinces: list[str] | None, sums: _Sums
) -> None:
    """Loans: approved, disbursed, repaid, outstanding, in arrears."""
    for loan in await repository.loans(
        session,
        group_by=_group_by(query),
        programme=query.programme,
        province_codes=provinces,
        principal=query.principal,
    ):
        sums.add(
            loan.programme,
            _area_of(query, loan.area_code),
            {
                "loans": loan.loans,
                "loan_principal_approved_satang": loan.principal_approved_satang,
                "loan_disbursed_satang": loan.disbursed_satang,
                "loan_repaid_satang": loan.repaid_satang,
                "loan_outstanding_satang": loan.outstanding_satang,
                "loans_in_arrears": loan.in_arrears,
                "loan_overdue_satang": loan.overdue_satang,
                "loan_outstanding_in_arrears_satang": loan.outstanding_in_arrears_satang,
            },
        )


async def _fund_sums(
    session: AsyncSession, query: MoneyQuery, provinces: list[str] | None
) -> tuple[dict[str | None, dict[str, int]], dict[str, int]]:
    """Revolving funds by area at the query's level, and over the whole scope."""
    fund_cells: dict[str | None, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FUND_FIGURES, 0)
    )
    fund_total = dict.fromkeys(FUND_FIGURES, 0)
    for fund in await repository.funds(
        session,
        group_by=_group_by(query),
        programme=query.programme,
        province_codes=provinces,
        principal=query.principal,
    ):
        got = {
            "revolving_funds": fund.funds,
            "revolving_fund_balance_satang": fund.balance_satang,
            "revolving_fund_in_satang": fund.in_satang,
            "revolving_fund_out_satang": fund.out_satang,
        }
        for name, value in got.items():
            fund_cells[_area_of(query, fund.area_code)][name] += value
            fund_total[name] += value
    return fund_cells, fund_total
