"""One page of a table's rows that lie in the caller's areas, in id order.

The list endpoints page by cursor over time-ordered ids (``baan_shared.http.pagination``
encodes the last id) and filter by equal columns; the rows a caller may see are those
``area_filter`` admits, or the clause a module builds for tables placed otherwise.
"""

import uuid
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, area_filter

Row = TypeVar("Row", bound=SQLModel)


@dataclass(frozen=True)
class Paging:
    """Which page: at most ``limit`` rows after the id ``after`` (None: from the first)."""

    after: uuid.UUID | None
    limit: int


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: list[Row]
    last: uuid.UUID | None
    """The id to continue after; None on the last page."""


async def page_in_areas(
    session: AsyncSession,
    model: type[Row],
    principal: Principal,
    where: Any,
    paging: Paging,
) -> Page[Row]:
    """A page of ``model``'s rows in the principal's areas (``page_by_id`` with the
    table's province, district and sub-district columns)."""
    table: Any = model
    area = area_filter(
        principal,
        province=table.province_code,
        district=table.district_code,
        subdistrict=table.subdistrict_code,
    )
    return await page_by_id(session, model, area, where, paging)


async def page_by_id(
    session: AsyncSession,
    model: type[Row],
    area: ColumnElement[bool],
    where: Any,
    paging: Paging,
) -> Page[Row]:
    """A page of ``model``'s rows that ``area`` admits, in id order.

    ``where`` is a dataclass of column names and values: each value that is not None
    keeps only the rows whose column equals it.
    """
    table: Any = model
    query = select(model).where(area).order_by(col(table.id)).limit(paging.limit + 1)
    if paging.after is not None:
        query = query.where(table.id > paging.after)
    for name, value in asdict(where).items():
        if value is not None:
            query = query.where(getattr(table, name) == value)
    rows = list((await session.exec(query)).all())
    items = rows[: paging.limit]
    last: Any = items[-1] if len(rows) > paging.limit else None
    return Page(items, last.id if last is not None else None)
