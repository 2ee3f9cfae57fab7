"""Request dependencies: the request-scoped session is the unit of work."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.audit.middleware import audit_in_transaction
from baan_shared.auth.audit.writer import AuditBatch, pending_rows
from baan_shared.db import SessionFactory, create_session_factory


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


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for an endpoint that reads with one statement: no transaction around
    it (autocommit), so no BEGIN and COMMIT round trips for a single SELECT, which
    reads a consistent snapshot on its own. Use ``SessionDep`` for anything that
    writes or reads with several statements that must agree.

    The audit rows of personal data it reveals (``reveals_personal_data``) are group-
    committed with other requests' rows before the answer goes out: if they cannot be
    written, the request fails rather than show the data unaudited.
    """
    async with _read_sessions(request.app.state.runtime)() as session:
        yield session
        rows = pending_rows(session)
    # The connection is back in the pool while the rows wait for their batch.
    if rows:
        await _audit_batch(request).write(rows, must_succeed=True)


def _read_sessions(runtime: Any) -> SessionFactory:
    """Sessions on the runtime's engine in autocommit: same pool, a connection taken
    only when the first statement runs (a request refused before it takes none)."""
    factory: SessionFactory | None = getattr(runtime, "read_session_factory", None)
    if factory is None:
        engine: AsyncEngine = runtime.session_factory.kw["bind"]
        factory = create_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
        runtime.read_session_factory = factory
    return factory


def _audit_batch(request: Request) -> AuditBatch:
    batch: AuditBatch | None = getattr(request.app.state, "audit_batch", None)
    if batch is None:
        # An app without install_partner_access: a batch of its own, made once.
        runtime = request.app.state.runtime
        batch = request.app.state.audit_batch = AuditBatch(lambda: runtime.session_factory)
    return batch


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
