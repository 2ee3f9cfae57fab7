"""Materials rules: order for a project, receive no more than was ordered, and give
houses of the project no more than was delivered. Checks run before any write;
the order row is locked so two deliveries or allocations cannot both pass."""

import uuid
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import does_not_exist
from baan_shared.clock import thai_today as today
from baan_shared.errors import Conflict, Unprocessable, field_error
from construction.house_works import service as house_works
from construction.house_works.models import HouseWorkStatus
from construction.materials import repository
from construction.materials.models import Allocation, Delivery, PurchaseOrder
from construction.materials.schemas import (
    AllocationCreate,
    CostLine,
    DeliveryCreate,
    HouseCostsPublic,
    PurchaseOrderCreate,
    PurchaseOrderPublic,
    Reversal,
)
from construction.projects import service as projects

FINISHED = frozenset({HouseWorkStatus.COMPLETED, HouseWorkStatus.CANCELLED})


def _date_error(field: str, value: date, earliest: date) -> Unprocessable:
    return Unprocessable(
        f"{field} {value} is before the order date {earliest}",
        errors=[
            field_error(f"body.{field}", f"must not be before ordered_on {earliest}", "date_order")
        ],
    )


async def order(
    session: AsyncSession, project_id: uuid.UUID, new: PurchaseOrderCreate
) -> PurchaseOrder:
    await projects.get(session, project_id)
    purchase = PurchaseOrder(
        project_id=project_id,
        item=new.item,
        quantity=new.quantity,
        unit=new.unit,
        unit_price_satang=new.unit_price_satang,
        total_satang=new.quantity * new.unit_price_satang,
        supplier=new.supplier,
        ordered_on=new.ordered_on or today(),
        ordered_by=new.ordered_by,
    )
    session.add(purchase)
    await session.flush()
    return purchase


async def get_order(
    session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False
) -> PurchaseOrder:
    purchase = await repository.get_order(session, order_id, for_update=for_update)
    if purchase is None:
        raise does_not_exist(f"purchase order {order_id}")
    return purchase


async def public(session: AsyncSession, purchase: PurchaseOrder) -> PurchaseOrderPublic:
    return PurchaseOrderPublic.model_validate(
        {
            **purchase.model_dump(),
            "delivered_quantity": await repository.delivered(session, purchase.id),
            "allocated_quantity": await repository.allocated(session, purchase.id),
        }
    )


async def deliver(session: AsyncSession, order_id: uuid.UUID, new: DeliveryCreate) -> Delivery:
    purchase = await get_order(session, order_id, for_update=True)
    delivered_on = new.delivered_on or today()
    if delivered_on < purchase.ordered_on:
        raise _date_error("delivered_on", delivered_on, purchase.ordered_on)
    already = await repository.delivered(session, order_id)
    if already + new.quantity > purchase.quantity:
        raise Conflict(
            f"{new.quantity} {purchase.unit} would exceed the order:"
            f" {already} of {purchase.quantity} already delivered",
            ordered_quantity=purchase.quantity,
            delivered_quantity=already,
        )
    delivery = Delivery(
        purchase_order_id=order_id,
        quantity=new.quantity,
        delivered_on=delivered_on,
        received_by=new.received_by,
    )
    session.add(delivery)
    await session.flush()
    return delivery


async def allocate(session: AsyncSession, order_id: uuid.UUID, new: AllocationCreate) -> Allocation:
    purchase = await get_order(session, order_id, for_update=True)
    work = await house_works.get(session, new.house_work_id, for_update=True)
    if work.project_id != purchase.project_id:
        raise Conflict(
            f"house work {work.id} is not in the project that ordered these materials",
            house_work_id=str(work.id),
            project_id=str(purchase.project_id),
        )
    if work.status in FINISHED:
        # Its cost was reported with house.completed (or it will not be built).
        raise Conflict(
            f"house work {work.id} is {work.status}; materials go to unfinished houses",
            current_status=str(work.status),
        )
    delivered = await repository.delivered(session, order_id)
    allocated = await repository.allocated(session, order_id)
    if allocated + new.quantity > delivered:
        raise Conflict(
            f"only {delivered - allocated} {purchase.unit} delivered and not yet allocated",
            delivered_quantity=delivered,
            allocated_quantity=allocated,
        )
    allocation = Allocation(
        purchase_order_id=order_id,
        house_work_id=work.id,
        quantity=new.quantity,
        cost_satang=new.quantity * purchase.unit_price_satang,
        allocated_on=today(),
        allocated_by=new.allocated_by,
    )
    session.add(allocation)
    await session.flush()
    return allocation


async def reverse_delivery(
    session: AsyncSession, delivery_id: uuid.UUID, reversal: Reversal
) -> Delivery:
    """Undo a delivery recorded by mistake, unless its materials are already with houses."""
    original = await repository.get_delivery(session, delivery_id)
    if original is None:
        raise does_not_exist(f"delivery {delivery_id}")
    purchase = await get_order(session, original.purchase_order_id, for_update=True)
    earlier = await repository.delivery_reversal(session, original.id)
    _check_reversible(original.reverses_id, earlier.id if earlier else None)
    delivered = await repository.delivered(session, purchase.id)
    allocated = await repository.allocated(session, purchase.id)
    if delivered - original.quantity < allocated:
        raise Conflict(
            f"{allocated} {purchase.unit} of this order are allocated to houses;"
            f" undo those allocations before this delivery",
            delivered_quantity=delivered,
            allocated_quantity=allocated,
        )
    undo = Delivery(
        purchase_order_id=purchase.id,
        quantity=-original.quantity,
        delivered_on=today(),
        received_by=reversal.reversed_by,
        reverses_id=original.id,
        reason=reversal.reason,
    )
    session.add(undo)
    await session.flush()
    return undo


async def reverse_allocation(
    session: AsyncSession, allocation_id: uuid.UUID, reversal: Reversal
) -> Allocation:
    """Take back materials given to a house by mistake; its cost falls by as much."""
    original = await repository.get_allocation(session, allocation_id)
    if original is None:
        raise does_not_exist(f"allocation {allocation_id}")
    await get_order(session, original.purchase_order_id, for_update=True)
    work = await house_works.get(session, original.house_work_id, for_update=True)
    earlier_undo = await repository.allocation_reversal(session, original.id)
    _check_reversible(original.reverses_id, earlier_undo.id if earlier_undo else None)
    if work.status == HouseWorkStatus.COMPLETED:
        # Its actual cost went out with house.completed; the books would disagree.
        raise Conflict(
            f"house work {work.id} is completed; its cost was reported at sign-off",
            current_status=str(work.status),
        )
    undo = Allocation(
        purchase_order_id=original.purchase_order_id,
        house_work_id=original.house_work_id,
        quantity=-original.quantity,
        cost_satang=-original.cost_satang,
        allocated_on=today(),
        allocated_by=reversal.reversed_by,
        reverses_id=original.id,
        reason=reversal.reason,
    )
    session.add(undo)
    await session.flush()
    return undo


def _check_reversible(reverses_id: uuid.UUID | None, reversal_id: uuid.UUID | None) -> None:
    if reverses_id is not None:
        raise Conflict("this record is itself a reversal; record the correction anew instead")
    if reversal_id is not None:
        raise Conflict("this record was already reversed", reversal_id=str(reversal_id))


async def house_costs(session: AsyncSession, house_work_id: uuid.UUID) -> HouseCostsPublic:
    work = await house_works.get(session, house_work_id)
    lines: dict[uuid.UUID, dict[str, Any]] = {}
    for allocation, purchase in await repository.allocations_to(session, house_work_id):
        line = lines.setdefault(
            purchase.id,
            {
                "item": purchase.item,
                "unit": purchase.unit,
                "quantity": 0,
                "unit_price_satang": purchase.unit_price_satang,
                "cost_satang": 0,
                "supplier": purchase.supplier,
            },
        )
        line["quantity"] += allocation.quantity
        line["cost_satang"] += allocation.cost_satang
    # A fully reversed allocation nets to nothing: it is no line of the cost.
    lines = {k: line for k, line in lines.items() if line["quantity"] or line["cost_satang"]}
    materials = sum(line["cost_satang"] for line in lines.values())
    return HouseCostsPublic(
        house_work_id=work.id,
        estimated_cost_satang=work.estimated_cost_satang,
        materials_cost_satang=materials,
        variance_satang=materials - work.estimated_cost_satang,
        actual_cost_satang=work.actual_cost_satang,
        lines=[CostLine(**line) for line in lines.values()],
    )


# --- reads the router serves (the repository behind the service) ----------------------


async def orders_of(session: AsyncSession, project_id: uuid.UUID) -> list[PurchaseOrder]:
    return await repository.orders_of(session, project_id)


async def deliveries_of(session: AsyncSession, order_id: uuid.UUID) -> list[Delivery]:
    return await repository.deliveries_of(session, order_id)


async def allocations_of(session: AsyncSession, order_id: uuid.UUID) -> list[Allocation]:
    return await repository.allocations_of(session, order_id)
