"""``Idempotency-Key`` for writes: a retried POST gets the first answer, never a second effect.

A service adopts it in three steps: import ``IdempotencyKey`` in its
``models.py`` (so its migration creates its own ``idempotency_keys`` table, as
with the outbox and the inbox), and put ``@idempotent`` under the route
decorator of each write::

    @router.post("", response_model=LoanPublic, status_code=201)
    @idempotent
    async def approve_loan(body: LoanCreate, session: SessionDep) -> LoanPublic: ...

The rules (ARCHITECTURE.md, "HTTP"):

- same key, same request (method, path, query and JSON body) → the first answer again,
  status and body, with ``Idempotent-Replayed: true``;
- same key, another request → 422 naming the ``Idempotency-Key`` header;
- a retry while the first request is still running → 409 (retry later);
- no key → the request runs as it is, nothing recorded.

Keys are scoped per client (``client_id``: the authenticated principal's, as
``baan_shared.auth`` leaves it on ``request.state.principal``, else
``"anonymous"``) and expire after ``idempotency_ttl_seconds`` (read from the
service's settings if it has that field; a day otherwise).

How: the key is claimed in its own short transaction before the endpoint
runs, so a concurrent retry sees it (the primary key makes two claims of one
key impossible, on PostgreSQL and SQLite). The answer is recorded in the
request's own unit of work, so it commits with the effects or not at all. A
request that fails releases its claim, so it can be retried; a claim left by a
process that died is taken over after ``idempotency_stale_after_seconds``
(likewise; two minutes otherwise).
"""

import functools
import hashlib
import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from sqlalchemy import Column, Text, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.db import (
    NAMING_CONVENTION_APPLIED,  # noqa: F401  (constraint names)
    SessionFactory,
    UTCDateTime,
)
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.http.deps import SessionDep

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
ANONYMOUS = "anonymous"
DEFAULT_TTL_SECONDS = 24 * 3600.0
DEFAULT_STALE_AFTER_SECONDS = 120.0


class IdempotencyKey(SQLModel, table=True):
    """One client's key, the request it was first used for, and the answer given."""

    __tablename__ = "idempotency_keys"

    client_id: str = Field(primary_key=True, max_length=128)
    key: str = Field(primary_key=True, max_length=255)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500)
    # SHA-256 of method, path with query, and the canonical JSON body.
    request_digest: str = Field(max_length=64)
    # None while the first request runs; then its answer.
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


def client_id_of(request: Request) -> str:
    """Whose key it is: the authenticated client if the route checked one, else anonymous.

    Two partners using the same key never see each other's answers.
    """
    principal = getattr(request.state, "principal", None)
    client_id = getattr(principal, "client_id", None) or getattr(request.state, "client_id", None)
    return str(client_id or ANONYMOUS)


def request_digest(method: str, path: str, body: bytes) -> str:
    """The same JSON in another spacing or key order is the same request."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        canonical = body.decode("latin-1")
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def request_body_fingerprint(request: Request) -> bytes:
    """What the body says, for comparing a retry with the first request.

    A form (a sheet upload, a photo) has already been parsed by FastAPI, which
    consumes the stream without keeping the raw bytes; and its raw bytes would
    differ on every retry anyway (a new multipart boundary). So a form is
    fingerprinted by its fields and a hash of each file's content.
    """
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return await request.body()
    form = await request.form()  # parsed once, cached by Starlette
    parts: list[list[str | None]] = []
    for name, value in form.multi_items():
        if isinstance(value, str):
            parts.append([name, value])
            continue
        digest = hashlib.sha256()
        while chunk := await value.read(1 << 20):
            digest.update(chunk)
        await value.seek(0)  # the endpoint reads the file after us
        parts.append([name, value.filename, value.content_type, digest.hexdigest()])
    return json.dumps(parts, ensure_ascii=False).encode()


def _header_error(message: str) -> Unprocessable:
    return Unprocessable(
        message, errors=[field_error(f"header.{HEADER.lower()}", message, "reused")]
    )


@dataclass
class Claim:
    """The request's hold on its key (or its stored answer, for a replay)."""

    session_factory: SessionFactory | None = None
    client_id: str = ANONYMOUS
    key: str | None = None
    default_status: int = 200
    replay: Response | None = None
    settled: bool = False  # the endpoint ran and recorded its answer or freed the key

    @property
    def active(self) -> bool:
        return self.key is not None and self.replay is None

    async def complete(self, session: AsyncSession, status_code: int, body: str) -> None:
        """Record the answer in the request's unit of work: it commits with the effects."""
        await session.exec(
            update(IdempotencyKey)
            .where(
                col(IdempotencyKey.client_id) == self.client_id,
                col(IdempotencyKey.key) == self.key,
            )
            .values(status_code=status_code, response_body=body)
        )
        await session.flush()

    async def release(self) -> None:
        """The request failed and changed nothing: free the key for a retry."""
        assert self.session_factory is not None
        async with self.session_factory() as session:
            await session.exec(
                delete(IdempotencyKey).where(
                    col(IdempotencyKey.client_id) == self.client_id,
                    col(IdempotencyKey.key) == self.key,
                    col(IdempotencyKey.status_code).is_(None),
                )
            )
            await session.commit()


async def purge_expired(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete the keys past their expiry; how many. For a periodic job: expired keys
    are already ignored (and replaced) when used again, this only reclaims space."""
    result = await session.exec(
        delete(IdempotencyKey).where(col(IdempotencyKey.expires_at) <= (now or utcnow()))
    )
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def _stored_answer(row: IdempotencyKey) -> Response:
    assert row.status_code is not None
    return Response(
        content=row.response_body or "",
        status_code=row.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


async def _claim(
    factory: SessionFactory,
    *,
    client_id: str,
    key: str,
    method: str,
    path: str,
    digest: str,
    ttl: timedelta,
    stale_after: timedelta,
) -> IdempotencyKey | None:
    """Claim the key in a transaction of its own; ``None`` if claimed, else the row found."""
    for _ in range(3):
        now = utcnow()
        async with factory() as session:
            session.add(
                IdempotencyKey(
                    client_id=client_id,
                    key=key,
                    method=method,
                    path=path,
                    request_digest=digest,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
        async with factory() as session:
            row = (
                await session.exec(
                    select(IdempotencyKey).where(
                        IdempotencyKey.client_id == client_id, IdempotencyKey.key == key
                    )
                )
            ).first()
            if row is None:
                continue  # released meanwhile: claim again
            expired = row.expires_at <= now
            abandoned = row.status_code is None and row.created_at <= now - stale_after
            if not (expired or abandoned):
                return row
            # Conditional on the row read, so two retries cannot both take it over.
            await session.exec(
                delete(IdempotencyKey).where(
                    col(IdempotencyKey.client_id) == client_id,
                    col(IdempotencyKey.key) == key,
                    col(IdempotencyKey.created_at) == row.created_at,
                )
            )
            await session.commit()
    raise Conflict(f"{HEADER} {key!r} is contended; retry")


async def claim_key(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=255,
            description="Retry with the same key to get the first answer, never a second effect",
        ),
    ] = None,
) -> AsyncIterator[Claim]:
    """The dependency ``@idempotent`` adds: claim the key, or find its earlier answer.

    FastAPI runs it before it validates the request's other parameters: a request
    refused then (a 422 for its body or path) never reaches the endpoint, so the key
    is freed here on the way out, and a corrected retry with the same key runs."""
    route = request.scope.get("route")
    default_status = getattr(route, "status_code", None) or 200
    if idempotency_key is None:
        yield Claim(default_status=default_status)
        return
    runtime = request.app.state.runtime
    settings = runtime.settings
    client_id = client_id_of(request)
    # The query is part of the request: ?as_of=2026-05-01 is not ?as_of=2026-06-01.
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    digest = request_digest(request.method, target, await request_body_fingerprint(request))
    found = await _claim(
        runtime.session_factory,
        client_id=client_id,
        key=idempotency_key,
        method=request.method,
        path=target[:500],
        digest=digest,
        ttl=timedelta(seconds=getattr(settings, "idempotency_ttl_seconds", DEFAULT_TTL_SECONDS)),
        stale_after=timedelta(
            seconds=getattr(
                settings, "idempotency_stale_after_seconds", DEFAULT_STALE_AFTER_SECONDS
            )
        ),
    )
    claim = Claim(
        session_factory=runtime.session_factory,
        client_id=client_id,
        key=idempotency_key,
        default_status=default_status,
    )
    if found is None:
        try:
            yield claim
        finally:
            if not claim.settled:
                await claim.release()
        return
    if found.request_digest != digest:
        raise _header_error(
            f"{HEADER} {idempotency_key!r} was used for another request "
            f"({found.method} {found.path} with another body); use a new key"
        )
    if found.status_code is None:
        raise Conflict(
            f"a request with {HEADER} {idempotency_key!r} is still being processed; "
            "retry once it has answered"
        )
    claim.replay = _stored_answer(found)
    yield claim


R = TypeVar("R")


def idempotent(endpoint: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R | Response]]:
    """Make a write endpoint honour ``Idempotency-Key`` (see the module docstring).

    The endpoint's own parameters are untouched; the wrapper adds the key
    header, the request's session and its response to the signature FastAPI
    reads.
    """

    signature = inspect.signature(endpoint)
    # FastAPI hands the response to one parameter only: reuse the endpoint's if it has one.
    own_response = next(
        (
            name
            for name, param in signature.parameters.items()
            if inspect.isclass(param.annotation) and issubclass(param.annotation, Response)
        ),
        None,
    )

    @functools.wraps(endpoint)
    async def wrapper(
        *args: Any,
        _idempotency: Claim,
        _idempotency_session: AsyncSession,
        _idempotency_response: Response | None = None,
        **kwargs: Any,
    ) -> R | Response:
        sub_response = kwargs[own_response] if own_response else _idempotency_response
        if _idempotency.replay is not None:
            if sub_response is not None:
                # What the unit of work's audit row records (the replay is sent as is).
                sub_response.status_code = _idempotency.replay.status_code
            return _idempotency.replay
        if not _idempotency.active:
            return await endpoint(*args, **kwargs)
        try:
            result = await endpoint(*args, **kwargs)
            status_code = (
                sub_response.status_code if sub_response is not None else None
            ) or _idempotency.default_status
            if isinstance(result, Response):
                status_code = result.status_code
                if sub_response is not None:
                    sub_response.status_code = status_code
                body = bytes(result.body).decode()
            else:
                body = json.dumps(jsonable_encoder(result), ensure_ascii=False)
            # Flush the effects first: a constraint that fails here still releases the key.
            await _idempotency_session.flush()
            await _idempotency.complete(_idempotency_session, status_code, body)
            _idempotency.settled = True
        except BaseException:
            # Roll back first: on SQLite the request's own write lock would block the
            # release, which runs in a transaction of its own.
            _idempotency.settled = True
            await _idempotency_session.rollback()
            await _idempotency.release()
            raise
        return result

    extra = [
        inspect.Parameter(
            "_idempotency",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Claim, Depends(claim_key, scope="function")],
        ),
        inspect.Parameter(
            "_idempotency_session", inspect.Parameter.KEYWORD_ONLY, annotation=SessionDep
        ),
    ]
    if own_response is None:
        extra.append(
            inspect.Parameter(
                "_idempotency_response", inspect.Parameter.KEYWORD_ONLY, annotation=Response
            )
        )
    params = list(signature.parameters.values())
    # Keyword-only parameters go after every positional-or-keyword one.
    params = [
        *(p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD),
        *extra,
        *(p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD),
    ]
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return wrapper
