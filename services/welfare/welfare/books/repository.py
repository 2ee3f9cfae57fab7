"""All SQL about a fund's books: its totals and the movements behind them."""

import uuid

from sqlalchemy import CursorResult, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from welfare.books.ledger import OUTGOING, TOTAL_OF, MovementKind
from welfare.books.models import FundMovement
from welfare.funds.models import Fund


async def move_totals(
    session: AsyncSession,
    fund_id: uuid.UUID,
    kind: MovementKind,
    amount_satang: int,
    movements: int = 1,
) -> bool:
    """Add ``amount_satang`` to the kind's total and count ``movements`` more movements;
    ``False`` if money going out is more than the fund holds.

    One conditional UPDATE: it holds the fund's row until commit, so the movements of
    one fund are numbered 1, 2, 3... without gap or tie, and two benefits racing for
    the last of a fund cannot both be paid.
    """
    total = col(getattr(Fund, TOTAL_OF[kind]))
    query = (
        update(Fund)
        .where(col(Fund.id) == fund_id)
        .values(
            {
                TOTAL_OF[kind]: total + amount_satang,
                "movements": col(Fund.movements) + movements,
                "updated_at": utcnow(),
            }
        )
    )
    if kind in OUTGOING:
        balance = (
            col(Fund.contributions_satang)
            + col(Fund.agency_match_satang)
            + col(Fund.local_match_satang)
            + col(Fund.other_income_satang)
            - col(Fund.benefits_paid_satang)
        )
        query = query.where(balance >= amount_satang)
    result = await session.exec(query)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def movement(
    session: AsyncSession, fund_id: uuid.UUID, reference: str
) -> FundMovement | None:
    query = select(FundMovement).where(
        FundMovement.fund_id == fund_id, FundMovement.reference == reference
    )
    return (await session.exec(query)).first()


async def movements_page(
    session: AsyncSession, fund_id: uuid.UUID, *, after: int, limit: int
) -> list[FundMovement]:
    query = (
        select(FundMovement)
        .where(FundMovement.fund_id == fund_id, col(FundMovement.sequence) > after)
        .order_by(col(FundMovement.sequence))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def sums_by_kind(session: AsyncSession, fund_id: uuid.UUID) -> list[tuple[MovementKind, int]]:
    query = (
        select(FundMovement.kind, func.sum(FundMovement.amount_satang))
        .where(FundMovement.fund_id == fund_id)
        .group_by(col(FundMovement.kind))
    )
    return [(MovementKind(kind), int(total)) for kind, total in (await session.exec(query)).all()]


async def movement_count(session: AsyncSession, fund_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(FundMovement).where(FundMovement.fund_id == fund_id)
    return int((await session.exec(query)).one())


async def funds_after(session: AsyncSession, after: uuid.UUID | None, limit: int) -> list[Fund]:
    query = select(Fund).order_by(col(Fund.id)).limit(limit)
    if after is not None:
        query = query.where(col(Fund.id) > after)
    return list((await session.exec(query)).all())
