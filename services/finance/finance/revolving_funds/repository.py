"""All SQL about revolving funds and their movements."""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, CursorResult, and_, case, func, null, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter
from baan_shared.clock import utcnow
from baan_shared.pages import Page, Paging, page_by_id
from finance.revolving_funds.models import FundMovement, FundScope, RevolvingFund


async def get(session: AsyncSession, fund_id: uuid.UUID) -> RevolvingFund | None:
    return await session.get(RevolvingFund, fund_id)


async def find(session: AsyncSession, scope: FundScope, code: str) -> RevolvingFund | None:
    query = select(RevolvingFund).where(RevolvingFund.scope == scope, RevolvingFund.code == code)
    return (await session.exec(query)).first()


async def add_in(session: AsyncSession, fund_id: uuid.UUID, amount_satang: int) -> None:
    await session.exec(
        update(RevolvingFund)
        .where(col(RevolvingFund.id) == fund_id)
        .values(in_satang=col(RevolvingFund.in_satang) + amount_satang, updated_at=utcnow())
    )


async def take_out(session: AsyncSession, fund_id: uuid.UUID, amount_satang: int) -> bool:
    """Take ``amount_satang`` out if the fund holds that much; ``False`` if not.

    A conditional UPDATE, like a budget reservation: two loans racing for the
    last of a fund cannot both be financed.
    """
    result = await session.exec(
        update(RevolvingFund)
        .where(
            col(RevolvingFund.id) == fund_id,
            col(RevolvingFund.in_satang) - col(RevolvingFund.out_satang) >= amount_satang,
        )
        .values(out_satang=col(RevolvingFund.out_satang) + amount_satang, updated_at=utcnow())
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def movement(
    session: AsyncSession, fund_id: uuid.UUID, reference: str
) -> FundMovement | None:
    query = select(FundMovement).where(
        FundMovement.fund_id == fund_id, FundMovement.reference == reference
    )
    return (await session.exec(query)).first()


async def movement_count(session: AsyncSession, fund_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(FundMovement).where(FundMovement.fund_id == fund_id)
    return int((await session.exec(query)).one())


async def movements(session: AsyncSession, fund_id: uuid.UUID) -> list[FundMovement]:
    query = (
        select(FundMovement)
        .where(FundMovement.fund_id == fund_id)
        .order_by(col(FundMovement.recorded_at), col(FundMovement.id))
    )
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class FundFilter:
    province_code: str | None = None


async def page(
    session: AsyncSession, principal: Principal, where: FundFilter, paging: Paging
) -> Page[RevolvingFund]:
    return await page_by_id(session, RevolvingFund, _in_areas(principal), where, paging)


def _in_areas(principal: Principal) -> ColumnElement[bool]:
    """The client's areas, in SQL, placing each fund as ``service.area_of`` does: a
    sub-district's fund named by an official code of its province lies in that
    sub-district and its district, any other fund in its province only."""
    code = col(RevolvingFund.code)
    official = and_(
        col(RevolvingFund.scope) == FundScope.SUBDISTRICT.value,
        func.length(code) == 6,
        func.substr(code, 1, 2) == col(RevolvingFund.province_code),
        # six digits: the ends and every character between are 0-9
        *(func.substr(code, i, 1).between("0", "9") for i in range(1, 7)),
    )
    district = case((official, func.substr(code, 1, 4)), else_=null())
    subdistrict = case((official, code), else_=null())
    return area_filter(
        principal, province=RevolvingFund.province_code, district=district, subdistrict=subdistrict
    )
