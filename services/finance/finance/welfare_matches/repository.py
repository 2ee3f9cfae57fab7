"""All SQL about welfare match payments."""

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from finance.welfare_matches.models import WelfareMatchPayment


async def for_request(
    session: AsyncSession, match_request_id: uuid.UUID
) -> WelfareMatchPayment | None:
    query = select(WelfareMatchPayment).where(
        WelfareMatchPayment.match_request_id == match_request_id
    )
    return (await session.exec(query)).first()
