"""Loading and checking local administrations.

Their list is public reference data (as the geography is): every reader sees it
whole, and only a national client changes it.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.errors import NotFound, Unprocessable
from survey.administrations import repository
from survey.administrations.models import AdministrationKind, LocalAdministration
from survey.administrations.schemas import LocalAdministrationSet, LocalAdministrationsSet
from survey.areas import service as areas


def problems(index: int, item: LocalAdministrationSet) -> list[dict[str, Any]]:
    at = f"body.items.{index}"
    found = []
    if (reason := areas.province_error(item.province_code)) is not None:
        found.append({"field": f"{at}.province_code", "reason": reason, "code": "unknown-area"})
    if item.district_code is not None:
        reason = areas.district_error(item.district_code, item.province_code)
        if reason is not None:
            found.append({"field": f"{at}.district_code", "reason": reason, "code": "unknown-area"})
    elif item.kind != AdministrationKind.PROVINCIAL:
        reason = "only a provincial administration (อบจ.) has no district"
        found.append({"field": f"{at}.district_code", "reason": reason, "code": "missing"})
    return found


async def load(session: AsyncSession, body: LocalAdministrationsSet) -> list[LocalAdministration]:
    found: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(body.items):
        found += problems(index, item)
        if item.code in seen:
            reason = f"same code as body.items.{seen[item.code]}"
            found.append(
                {
                    "field": f"body.items.{index}.code",
                    "value": item.code,
                    "reason": reason,
                    "code": "duplicate",
                }
            )
        seen.setdefault(item.code, index)
    if found:
        raise Unprocessable("Some administrations are not valid; nothing was loaded", errors=found)
    existing = await repository.get_many(session, list(seen))
    now = utcnow()
    saved = []
    for item in body.items:
        row = existing.get(item.code) or LocalAdministration(**item.model_dump())
        for field, value in item.model_dump().items():
            setattr(row, field, value)
        row.updated_at = now
        session.add(row)
        saved.append(row)
    await session.flush()
    return saved


async def get(session: AsyncSession, code: str) -> LocalAdministration:
    found = await repository.get(session, code)
    if found is None:
        raise NotFound(f"no local administration has code {code}")
    return found


async def page(
    session: AsyncSession, *, after: str | None, limit: int, province_code: str | None
) -> tuple[list[LocalAdministration], str | None]:
    """Up to ``limit`` administrations in code order after the code ``after``, and the
    code to continue from (None on the last page)."""
    rows = await repository.page(session, after=after, limit=limit + 1, province_code=province_code)
    items = rows[:limit]
    return items, items[-1].code if len(rows) > limit else None
