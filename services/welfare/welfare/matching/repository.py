"""All SQL about match requests."""

import uuid

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from welfare.funds.models import Fund
from welfare.matching.models import Matcher, MatchRequest, MatchStatus


async def get(session: AsyncSession, request_id: uuid.UUID) -> MatchRequest | None:
    return await session.get(MatchRequest, request_id)


async def lock_fund(session: AsyncSession, fund_id: uuid.UUID) -> None:
    """Hold the fund's row: a fund's match requests are checked one at a time."""
    await session.exec(update(Fund).where(col(Fund.id) == fund_id).values(updated_at=utcnow()))


async def standing(
    session: AsyncSession, fund_id: uuid.UUID, matcher: Matcher
) -> list[MatchRequest]:
    """The matcher's requests for the fund that were not refused."""
    query = select(MatchRequest).where(
        MatchRequest.fund_id == fund_id,
        MatchRequest.matcher == matcher,
        MatchRequest.status != MatchStatus.REFUSED,
    )
    return list((await session.exec(query)).all())


async def of_fund(session: AsyncSession, fund_id: uuid.UUID) -> list[MatchRequest]:
    query = (
        select(MatchRequest)
        .where(MatchRequest.fund_id == fund_id)
        .order_by(col(MatchRequest.period_from), col(MatchRequest.id))
    )
    return list((await session.exec(query)).all())
