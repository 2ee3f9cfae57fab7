"""Request dependencies: the request-scoped session is the unit of work."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit once when the endpoint returns; roll back if it raises.

    ``scope="function"`` below makes the commit happen before the response is
    sent, so a client never sees success for a write that did not commit.
    """
    runtime = request.app.state.runtime
    async with runtime.session_factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    runtime.wake_relay()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
