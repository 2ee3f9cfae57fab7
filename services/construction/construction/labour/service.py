"""Labour rules: recorded on a house until it is finished, never before it was planned."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import thai_today as today
from baan_shared.errors import Conflict, Unprocessable, field_error
from construction.house_works import service as house_works
from construction.house_works.models import HouseWorkStatus
from construction.labour import repository
from construction.labour.models import LabourEntry, LabourKind
from construction.labour.schemas import LabourCreate, LabourEntryPublic, LabourPublic


async def record(session: AsyncSession, house_work_id: uuid.UUID, new: LabourCreate) -> LabourEntry:
    work = await house_works.get(session, house_work_id, for_update=True)
    if work.status in (HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED):
        # A completed house's labour days went out with house.completed.
        raise Conflict(
            f"labour is recorded until a house work is finished; this one is {work.status}",
            current_status=str(work.status),
        )
    worked_on = new.worked_on or today()
    if worked_on < work.planned_on:
        raise Unprocessable(
            f"worked_on {worked_on} is before the house work was planned",
            errors=[
                field_error(
                    "body.worked_on",
                    f"must not be before planned_on {work.planned_on}",
                    "date_order",
                )
            ],
        )
    entry = LabourEntry(
        house_work_id=work.id,
        kind=new.kind,
        person_days=new.person_days,
        worked_on=worked_on,
        reported_by=new.reported_by,
    )
    session.add(entry)
    await session.flush()
    return entry


async def summary(session: AsyncSession, house_work_id: uuid.UUID) -> LabourPublic:
    work = await house_works.get(session, house_work_id)
    entries = await repository.entries(session, work.id)
    by_kind = {kind: sum(e.person_days for e in entries if e.kind == kind) for kind in LabourKind}
    return LabourPublic(
        house_work_id=work.id,
        household_days=by_kind[LabourKind.HOUSEHOLD],
        community_days=by_kind[LabourKind.COMMUNITY],
        total_days=sum(by_kind.values()),
        entries=[LabourEntryPublic.model_validate(e) for e in entries],
    )
