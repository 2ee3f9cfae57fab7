"""Bulk reports: many house works signed off, or brought to a milestone, in one request.

Inspection teams and committees work through a list of houses (or a whole
project) at once. A bulk report is all or nothing with a result per item:

- every item is checked, not only up to the first refusal, so the answer names
  each house work that cannot move and why (``errors``, one or more per item,
  each ``field`` under the item's own path, e.g. ``body.items.3.completed_on``);
- if any item is refused, nothing is recorded: the request's unit of work rolls
  back the items already applied, and no event leaves;
- a house work the caller cannot see (unknown, or outside its areas) is refused
  exactly as an unknown reference (``unknown_reference`` on the item's id field),
  and the rest of the answer does not depend on which of the two it was.

Each applied item goes through the same rules as the one-house endpoints
(``service.complete_work`` / ``service.progress_work``), so one house's sign-off
means the same whichever way it was reported.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, unknown_reference
from baan_shared.errors import AppError, Conflict, Unprocessable
from construction.access import HOUSE_WORK, covers
from construction.house_works.models import HouseWork
from construction.projects import repository as projects_repository


@dataclass(frozen=True)
class Item:
    """One house work of a bulk report: ``at`` is the item's body path
    (``body.items.3``), ``id_field`` the path of its house work id."""

    at: str
    id_field: str
    house_work_id: uuid.UUID


Apply = Callable[[int, HouseWork], Awaitable[None]]
"""Applies item ``index`` to its (locked) house work; raises ``AppError`` to refuse it."""


def _under(
    at: str, id_field: str, refused: AppError, house_work_id: uuid.UUID
) -> list[dict[str, Any]]:
    """A one-house refusal's errors, each moved under the item's own path."""
    if refused.errors:
        moved = []
        for error in refused.errors:
            field = str(error.get("field", ""))
            if field.startswith("body."):
                field = f"{at}.{field.removeprefix('body.')}"
            elif not field:
                field = id_field
            moved.append({**error, "field": field, "house_work_id": str(house_work_id)})
        return moved
    return [
        {
            "field": id_field,
            "value": str(house_work_id),
            "reason": refused.detail,
            "code": refused.code,
            "house_work_id": str(house_work_id),
            **{k: v for k, v in refused.extra.items() if isinstance(v, str | int)},
        }
    ]


async def apply_all(
    session: AsyncSession,
    principal: Principal,
    items: Sequence[Item],
    apply: Apply,
) -> list[HouseWork]:
    """Apply every item or none; the works in item order.

    The house works are locked in id order (two bulk reports over the same houses
    queue instead of deadlocking) and applied in that order; the answer keeps the
    request's order.
    """
    refusals: list[tuple[int, int, list[dict[str, Any]]]] = []  # index, status, errors
    seen: dict[uuid.UUID, int] = {}
    for index, item in enumerate(items):
        if item.house_work_id in seen:
            duplicate = {
                "field": item.id_field,
                "value": str(item.house_work_id),
                "reason": f"named again: item {seen[item.house_work_id]} reports this house work",
                "code": "duplicate",
            }
            refusals.append((index, Unprocessable.status, [duplicate]))
        else:
            seen[item.house_work_id] = index
    ids = sorted(seen)
    found = {w.id: w for w in await projects_repository.house_works(session, ids, for_update=True)}
    visible: dict[uuid.UUID, HouseWork] = {}
    for house_work_id, index in seen.items():
        work = found.get(house_work_id)
        if work is None or not covers(principal, work):
            unknown = unknown_reference(items[index].id_field, HOUSE_WORK, house_work_id)
            refusals.append((index, unknown.status, list(unknown.errors or [])))
        else:
            visible[house_work_id] = work
    for house_work_id in ids:
        work = visible.get(house_work_id)
        if work is None:
            continue
        index = seen[house_work_id]
        item = items[index]
        try:
            await apply(index, work)
        except AppError as refused:
            errors = _under(item.at, item.id_field, refused, house_work_id)
            refusals.append((index, refused.status, errors))
    if refusals:
        refusals.sort(key=lambda refusal: refusal[0])
        errors = [error for _, _, item_errors in refusals for error in item_errors]
        count = len({index for index, _, _ in refusals})
        detail = f"{count} of {len(items)} house works refused; nothing was recorded"
        # Input the caller can correct (422) outranks a state that forbids the change (409).
        if any(status == Unprocessable.status for _, status, _ in refusals):
            raise Unprocessable(detail, errors=errors, refused=count, items=len(items))
        raise Conflict(detail, errors=errors, refused=count, items=len(items))
    return [visible[item.house_work_id] for item in items]
