"""Request dependencies: the request-scoped session is the unit of work."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.middleware import audit_in_transaction


async def get_session(request: Request, response: Response) -> AsyncIterator[AsyncSession]:
    """Commit once when the endpoint returns; roll back if it raises.

    ``scope="function"`` below makes the commit happen before the response is
    sent, so a client never sees success for a write that did not commit. A write's
    audit row is inserted just before that commit, in the same transaction.
    """
    runtime = request.app.state.runtime
    async with runtime.session_factory() as session:
        try:
            yield session
            audited = await audit_in_transaction(session, request, response)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        if audited is not None:
            audited()
    runtime.wake_relay()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
