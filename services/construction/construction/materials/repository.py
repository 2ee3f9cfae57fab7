"""All SQL about materials."""

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from construction.materials.models import Allocation, Delivery, PurchaseOrder


async def get_order(
    session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False
) -> PurchaseOrder | None:
    query = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def orders_of(session: AsyncSession, project_id: uuid.UUID) -> list[PurchaseOrder]:
    query = (
        select(PurchaseOrder)
        .where(PurchaseOrder.project_id == project_id)
        .order_by(col(PurchaseOrder.id))
    )
    return list((await session.exec(query)).all())


async def delivered(session: AsyncSession, order_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Delivery.quantity), 0)).where(
        Delivery.purchase_order_id == order_id
    )
    return int((await session.exec(query)).one())


async def allocated(session: AsyncSession, order_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Allocation.quantity), 0)).where(
        Allocation.purchase_order_id == order_id
    )
    return int((await session.exec(query)).one())


async def materials_cost(session: AsyncSession, house_work_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Allocation.cost_satang), 0)).where(
        Allocation.house_work_id == house_work_id
    )
    return int((await session.exec(query)).one())


async def allocations_to(
    session: AsyncSession, house_work_id: uuid.UUID
) -> list[tuple[Allocation, PurchaseOrder]]:
    query = (
        select(Allocation, PurchaseOrder)
        .join(PurchaseOrder, col(Allocation.purchase_order_id) == col(PurchaseOrder.id))
        .where(Allocation.house_work_id == house_work_id)
        .order_by(col(Allocation.id))
    )
    return [(a, o) for a, o in (await session.exec(query)).all()]


async def get_delivery(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def get_allocation(session: AsyncSession, allocation_id: uuid.UUID) -> Allocation | None:
    return await session.get(Allocation, allocation_id)


async def delivery_reversal(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery | None:
    query = select(Delivery).where(Delivery.reverses_id == delivery_id)
    return (await session.exec(query)).first()


async def allocation_reversal(session: AsyncSession, allocation_id: uuid.UUID) -> Allocation | None:
    query = select(Allocation).where(Allocation.reverses_id == allocation_id)
    return (await session.exec(query)).first()


async def deliveries_of(session: AsyncSession, order_id: uuid.UUID) -> list[Delivery]:
    query = (
        select(Delivery).where(Delivery.purchase_order_id == order_id).order_by(col(Delivery.id))
    )
    return list((await session.exec(query)).all())


async def allocations_of(session: AsyncSession, order_id: uuid.UUID) -> list[Allocation]:
    query = (
        select(Allocation)
        .where(Allocation.purchase_order_id == order_id)
        .order_by(col(Allocation.id))
    )
    return list((await session.exec(query)).all())
