"""All SQL about welfare match payments."""

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.pages import Page, Paging, page_in_areas
from finance.welfare_matches.models import MatchPaymentStatus, WelfareMatchPayment


async def for_request(
    session: AsyncSession, match_request_id: uuid.UUID
) -> WelfareMatchPayment | None:
    query = select(WelfareMatchPayment).where(
        WelfareMatchPayment.match_request_id == match_request_id
    )
    return (await session.exec(query)).first()


async def waiting(session: AsyncSession, fiscal_year: int) -> list[WelfareMatchPayment]:
    """The fiscal year's waiting matches, oldest first."""
    query = (
        select(WelfareMatchPayment)
        .where(
            WelfareMatchPayment.status == MatchPaymentStatus.WAITING,
            WelfareMatchPayment.fiscal_year == fiscal_year,
        )
        .order_by(col(WelfareMatchPayment.id))
    )
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class MatchPaymentFilter:
    status: MatchPaymentStatus | None = None


async def page(
    session: AsyncSession, principal: Principal, where: MatchPaymentFilter, paging: Paging
) -> Page[WelfareMatchPayment]:
    return await page_in_areas(session, WelfareMatchPayment, principal, where, paging)
