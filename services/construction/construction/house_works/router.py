"""/v1/house-works: list, read, and report a house work from ready to completed."""

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import thai_today as today
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.reference import Programme
from construction import access
from construction.access import Reader, Writer
from construction.house_works import bulk, export, service
from construction.house_works.models import HouseWork, HouseWorkStatus
from construction.house_works.schemas import (
    BulkItemResult,
    BulkResult,
    Cancellation,
    CompletionReport,
    HouseWorkPublic,
    HouseWorksPublic,
    PlannedEnd,
    ProgressReport,
    ProgressReports,
    ProgressUpdatePublic,
    ReadyReport,
    SignOffs,
    StartReport,
    TransitionPublic,
)

PROBLEMS = problem_responses(
    {
        404: "No such house work",
        409: "The house work's status (or progress) does not allow this",
        422: "Invalid input; `errors` names each field",
    }
)


def public(work: HouseWork, project_end: date | None) -> HouseWorkPublic:
    return HouseWorkPublic.model_validate(
        {**work.model_dump(), "due_on": work.planned_end_on or project_end}
    )


async def _public(session: AsyncSession, work: HouseWork) -> HouseWorkPublic:
    return public(work, await service.project_end(session, work))


router = APIRouter(prefix="/v1/house-works", tags=["house works"], responses=PROBLEMS)


def _filters(
    status_: Annotated[HouseWorkStatus | None, Query(alias="status")] = None,
    programme: Programme | None = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    district_code: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    subdistrict_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    project_id: uuid.UUID | None = None,
    household_id: uuid.UUID | None = None,
    community_id: uuid.UUID | None = None,
    overdue: Annotated[
        bool, Query(description="Only works past their planned end and not finished")
    ] = False,
) -> service.HouseWorkFilter:
    return service.HouseWorkFilter(
        status=status_,
        programme=programme,
        province_code=province_code,
        district_code=district_code,
        subdistrict_code=subdistrict_code,
        project_id=project_id,
        household_id=household_id,
        community_id=community_id,
        overdue_on=today() if overdue else None,
    )


FiltersDep = Annotated[service.HouseWorkFilter, Depends(_filters)]


@router.get("", response_model=HouseWorksPublic)
async def list_house_works(
    principal: Reader,
    session: SessionDep,
    where: FiltersDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HouseWorksPublic:
    """By area, project, status or programme; ``overdue=true`` for works past their planned end."""
    rows = await service.page(
        session,
        after=decode_cursor(cursor),
        limit=limit + 1,
        where=where,
        area=access.house_works_in(principal),
    )
    items, more = rows[:limit], len(rows) > limit
    return HouseWorksPublic(
        items=[public(row.work, row.project_end) for row in items],
        next_cursor=encode_cursor(items[-1].work.id) if more else None,
    )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {export.CSV_MEDIA_TYPE: {}, export.XLSX_MEDIA_TYPE: {}},
            "description": "Every house work the filters select, as a file",
        }
    },
)
async def export_house_works(
    principal: Reader,
    session: SessionDep,
    where: FiltersDep,
    format_: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
) -> Response:
    """The same filters as the list, every matching house work in one CSV or XLSX file."""
    rows = await service.export_rows(session, where, access.house_works_in(principal))
    stamp = today().isoformat()
    if format_ == "xlsx":
        content, media_type = export.to_xlsx(rows), export.XLSX_MEDIA_TYPE
    else:
        content, media_type = export.to_csv(rows), export.CSV_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="house-works-{stamp}.{format_}"'},
    )


@router.get("/{house_work_id}", response_model=HouseWorkPublic)
async def get_house_work(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> HouseWorkPublic:
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.get(session, house_work_id))


@router.get("/{house_work_id}/updates", response_model=list[ProgressUpdatePublic])
async def progress_history(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> list[ProgressUpdatePublic]:
    """Every progress report, oldest first."""
    await access.house_work_of(session, principal, house_work_id)
    await service.get(session, house_work_id)
    rows = await service.progress_updates(session, house_work_id)
    return [ProgressUpdatePublic.model_validate(r) for r in rows]


@router.get("/{house_work_id}/history", response_model=list[TransitionPublic])
async def status_history(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> list[TransitionPublic]:
    """Every status change: who reported it, when, and why."""
    await access.house_work_of(session, principal, house_work_id)
    await service.get(session, house_work_id)
    rows = await service.transitions(session, house_work_id)
    return [TransitionPublic.model_validate(r) for r in rows]


@router.post("/{house_work_id}/ready", response_model=HouseWorkPublic)
@idempotent
async def mark_ready(
    principal: Writer, house_work_id: uuid.UUID, body: ReadyReport, session: SessionDep
) -> HouseWorkPublic:
    """Ready to build (พร้อมสร้าง): publishes ``house.ready_to_build``."""
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.mark_ready(session, house_work_id, body))


@router.post("/{house_work_id}/start", response_model=HouseWorkPublic)
@idempotent
async def start_construction(
    principal: Writer, house_work_id: uuid.UUID, body: StartReport, session: SessionDep
) -> HouseWorkPublic:
    """Construction started (เริ่มก่อสร้าง): publishes ``house.construction_started``."""
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.start(session, house_work_id, body))


@router.post("/{house_work_id}/progress", response_model=HouseWorkPublic)
@idempotent
async def report_progress(
    principal: Writer, house_work_id: uuid.UUID, body: ProgressReport, session: SessionDep
) -> HouseWorkPublic:
    """A milestone reached on site: publishes ``house.milestone_reached``."""
    await access.house_work_of(session, principal, house_work_id)
    work = await service.report_progress(session, house_work_id, body)
    return await _public(session, work)


@router.post("/{house_work_id}/complete", response_model=HouseWorkPublic)
@idempotent
async def complete_house_work(
    principal: Writer, house_work_id: uuid.UUID, body: CompletionReport, session: SessionDep
) -> HouseWorkPublic:
    """Inspected and signed off by the community committee: publishes ``house.completed``."""
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.complete(session, house_work_id, body))


@router.put("/{house_work_id}/planned-end", response_model=HouseWorkPublic)
async def set_planned_end(
    principal: Writer, house_work_id: uuid.UUID, body: PlannedEnd, session: SessionDep
) -> HouseWorkPublic:
    """The house work's own planned end, overriding its project's (``null`` to follow it)."""
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.set_planned_end(session, house_work_id, body))


@router.post("/{house_work_id}/cancel", response_model=HouseWorkPublic)
@idempotent
async def cancel_house_work(
    principal: Writer, house_work_id: uuid.UUID, body: Cancellation, session: SessionDep
) -> HouseWorkPublic:
    """Stopped for good, with the reason: publishes ``house.cancelled``."""
    await access.house_work_of(session, principal, house_work_id)
    return await _public(session, await service.cancel(session, house_work_id, body))


# Bulk reports (issue 17): a list of houses in one call, all or nothing, a result per item.

BULK_PROBLEMS = problem_responses(
    {
        409: "An item's house work is in a status that does not allow it; `errors` names "
        "each refused item (`body.items.N...`) and nothing was recorded",
        422: "Invalid input, or an item naming a house work that is unknown (or outside the "
        "client's areas), or named twice; `errors` names each refused item and nothing was "
        "recorded",
    }
)

bulk_router = APIRouter(prefix="/v1", tags=["house works"], responses=BULK_PROBLEMS)


def bulk_result(works: list[HouseWork], event: str) -> BulkResult:
    return BulkResult(
        applied=len(works),
        results=[
            BulkItemResult(
                index=index,
                house_work_id=work.id,
                status=work.status,
                progress_percent=work.progress_percent,
                last_milestone=work.last_milestone,
                event=event,
            )
            for index, work in enumerate(works)
        ],
    )


def _items(house_work_ids: list[uuid.UUID]) -> list[bulk.Item]:
    return [
        bulk.Item(f"body.items.{i}", f"body.items.{i}.house_work_id", house_work_id)
        for i, house_work_id in enumerate(house_work_ids)
    ]


@bulk_router.post("/house-work-sign-offs", response_model=BulkResult)
@idempotent
async def sign_off_house_works(
    principal: Writer, body: SignOffs, session: SessionDep
) -> BulkResult:
    """Many finished houses inspected and signed off (ตรวจรับ) in one call, each with its own
    report: each publishes ``house.completed``. All or none: a refusal lists every item
    that cannot be signed off and records nothing."""

    async def apply(index: int, work: HouseWork) -> None:
        await service.complete_work(session, work, body.items[index])

    items = _items([item.house_work_id for item in body.items])
    return bulk_result(await bulk.apply_all(session, principal, items, apply), "house.completed")


@bulk_router.post("/house-work-progress", response_model=BulkResult)
@idempotent
async def report_house_works_progress(
    principal: Writer, body: ProgressReports, session: SessionDep
) -> BulkResult:
    """Milestones reached on site for many houses in one call: each publishes
    ``house.milestone_reached``. All or none, a result per item."""

    async def apply(index: int, work: HouseWork) -> None:
        await service.progress_work(session, work, body.items[index])

    items = _items([item.house_work_id for item in body.items])
    return bulk_result(
        await bulk.apply_all(session, principal, items, apply), "house.milestone_reached"
    )
