"""All SQL about projects."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.pages import Page, Paging, page_by_id
from baan_shared.reference import Programme
from construction.house_works.models import HouseWork, HouseWorkStatus
from construction.labour.models import LabourEntry
from construction.materials.models import Allocation, PurchaseOrder
from construction.projects.models import Project


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id)


@dataclass(frozen=True)
class ProjectFilter:
    programme: Programme | None = None
    province_code: str | None = None
    subdistrict_code: str | None = None


async def page(
    session: AsyncSession, area: ColumnElement[bool], where: ProjectFilter, paging: Paging
) -> Page[Project]:
    """Projects in id order; ``area`` is the caller's areas (``access.projects_in``)."""
    return await page_by_id(session, Project, area, where, paging)


async def house_works(
    session: AsyncSession, ids: list[uuid.UUID], *, for_update: bool = False
) -> list[HouseWork]:
    query = select(HouseWork).where(col(HouseWork.id).in_(ids))
    if for_update:
        query = query.with_for_update()
    return list((await session.exec(query)).all())


async def works_of_project(
    session: AsyncSession, project_id: uuid.UUID, *, for_update: bool = False
) -> list[HouseWork]:
    query = select(HouseWork).where(HouseWork.project_id == project_id).order_by(col(HouseWork.id))
    if for_update:
        query = query.with_for_update()
    return list((await session.exec(query)).all())


async def status_counts(session: AsyncSession, project_id: uuid.UUID) -> dict[str, int]:
    query = (
        select(HouseWork.status, func.count())
        .where(HouseWork.project_id == project_id)
        .group_by(col(HouseWork.status))
    )
    return {str(status): int(count) for status, count in (await session.exec(query)).all()}


async def overdue_count(session: AsyncSession, project_id: uuid.UUID, on: date) -> int:
    project_end = (
        select(col(Project.planned_end_on)).where(Project.id == project_id).scalar_subquery()
    )
    query = (
        select(func.count())
        .select_from(HouseWork)
        .where(
            HouseWork.project_id == project_id,
            func.coalesce(HouseWork.planned_end_on, project_end) < on,
            col(HouseWork.status).not_in([HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED]),
        )
    )
    return int((await session.exec(query)).one())


async def money_and_labour(session: AsyncSession, project_id: uuid.UUID) -> dict[str, int]:
    in_project = select(HouseWork.id).where(HouseWork.project_id == project_id)
    estimated = select(func.coalesce(func.sum(HouseWork.estimated_cost_satang), 0)).where(
        HouseWork.project_id == project_id
    )
    ordered = select(func.coalesce(func.sum(PurchaseOrder.total_satang), 0)).where(
        PurchaseOrder.project_id == project_id
    )
    allocated = select(func.coalesce(func.sum(Allocation.cost_satang), 0)).where(
        col(Allocation.house_work_id).in_(in_project)
    )
    labour = select(func.coalesce(func.sum(LabourEntry.person_days), 0)).where(
        col(LabourEntry.house_work_id).in_(in_project)
    )
    return {
        "estimated_cost_satang": int((await session.exec(estimated)).one()),
        "ordered_satang": int((await session.exec(ordered)).one()),
        "allocated_satang": int((await session.exec(allocated)).one()),
        "labour_person_days": int((await session.exec(labour)).one()),
    }


async def allocated_to(session: AsyncSession, house_work_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Allocation.cost_satang), 0)).where(
        Allocation.house_work_id == house_work_id
    )
    return int((await session.exec(query)).one())
