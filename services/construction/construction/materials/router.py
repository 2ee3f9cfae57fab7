"""/v1/projects/{id}/purchase-orders, /v1/purchase-orders/{id}/deliveries and
/allocations, and /v1/house-works/{id}/costs."""

import uuid

from fastapi import APIRouter, status

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from construction import access
from construction.access import Reader, Writer
from construction.materials import service
from construction.materials.schemas import (
    AllocationCreate,
    AllocationPublic,
    DeliveryCreate,
    DeliveryPublic,
    HouseCostsPublic,
    PurchaseOrderCreate,
    PurchaseOrderPublic,
    Reversal,
)
from construction.projects import service as projects

PROBLEMS = problem_responses(
    {
        404: "No such project, purchase order, delivery, allocation or house work",
        409: "More than was ordered (or delivered), or a house outside the project",
        422: "Invalid input, or an unknown house work in the body; `errors` names each field",
    }
)

router = APIRouter(prefix="/v1", tags=["materials"], responses=PROBLEMS)


@router.post(
    "/projects/{project_id}/purchase-orders",
    response_model=PurchaseOrderPublic,
    status_code=status.HTTP_201_CREATED,
)
@idempotent
async def create_purchase_order(
    principal: Writer, project_id: uuid.UUID, body: PurchaseOrderCreate, session: SessionDep
) -> PurchaseOrderPublic:
    """Materials the project buys together from one supplier."""
    await access.project_of(session, principal, project_id)
    return await service.public(session, await service.order(session, project_id, body))


@router.get("/projects/{project_id}/purchase-orders", response_model=list[PurchaseOrderPublic])
async def list_purchase_orders(
    principal: Reader, project_id: uuid.UUID, session: SessionDep
) -> list[PurchaseOrderPublic]:
    """The project's orders, each with how much was delivered and allocated."""
    await access.project_of(session, principal, project_id)
    await projects.get(session, project_id)
    return [await service.public(session, o) for o in await service.orders_of(session, project_id)]


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderPublic)
async def get_purchase_order(
    principal: Reader, order_id: uuid.UUID, session: SessionDep
) -> PurchaseOrderPublic:
    await access.order_of(session, principal, order_id)
    return await service.public(session, await service.get_order(session, order_id))


@router.post(
    "/purchase-orders/{order_id}/deliveries",
    response_model=DeliveryPublic,
    status_code=status.HTTP_201_CREATED,
)
@idempotent
async def record_delivery(
    principal: Writer, order_id: uuid.UUID, body: DeliveryCreate, session: SessionDep
) -> DeliveryPublic:
    await access.order_of(session, principal, order_id)
    return DeliveryPublic.model_validate(await service.deliver(session, order_id, body))


@router.post(
    "/purchase-orders/{order_id}/allocations",
    response_model=AllocationPublic,
    status_code=status.HTTP_201_CREATED,
)
@idempotent
async def allocate_to_house(
    principal: Writer, order_id: uuid.UUID, body: AllocationCreate, session: SessionDep
) -> AllocationPublic:
    """Delivered materials given to one house of the project; counts toward its cost."""
    await access.order_of(session, principal, order_id)
    # Another area's house answers like a missing one (an unknown reference), not with
    # the 409 "not in the project" that would tell the client it exists.
    await access.referenced_house_work(session, principal, "body.house_work_id", body.house_work_id)
    return AllocationPublic.model_validate(await service.allocate(session, order_id, body))


@router.get("/purchase-orders/{order_id}/deliveries", response_model=list[DeliveryPublic])
async def list_deliveries(
    principal: Reader, order_id: uuid.UUID, session: SessionDep
) -> list[DeliveryPublic]:
    """Every delivery of the order, reversals included, oldest first."""
    await access.order_of(session, principal, order_id)
    await service.get_order(session, order_id)
    rows = await service.deliveries_of(session, order_id)
    undone = {r.reverses_id for r in rows if r.reverses_id}
    return [
        DeliveryPublic.model_validate({**r.model_dump(), "reversed": r.id in undone}) for r in rows
    ]


@router.get("/purchase-orders/{order_id}/allocations", response_model=list[AllocationPublic])
async def list_allocations(
    principal: Reader, order_id: uuid.UUID, session: SessionDep
) -> list[AllocationPublic]:
    """Every allocation of the order, reversals included, oldest first."""
    await access.order_of(session, principal, order_id)
    await service.get_order(session, order_id)
    rows = await service.allocations_of(session, order_id)
    undone = {r.reverses_id for r in rows if r.reverses_id}
    return [
        AllocationPublic.model_validate({**r.model_dump(), "reversed": r.id in undone})
        for r in rows
    ]


@router.post(
    "/deliveries/{delivery_id}/reversal",
    response_model=DeliveryPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {409: "Already reversed, itself a reversal, or its materials are allocated to houses"}
    ),
)
@idempotent
async def reverse_delivery(
    principal: Writer, delivery_id: uuid.UUID, body: Reversal, session: SessionDep
) -> DeliveryPublic:
    """Undo a delivery recorded by mistake with a reversing record (never a deletion)."""
    await access.delivery_of(session, principal, delivery_id)
    return DeliveryPublic.model_validate(await service.reverse_delivery(session, delivery_id, body))


@router.post(
    "/allocations/{allocation_id}/reversal",
    response_model=AllocationPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {409: "Already reversed, itself a reversal, or the house is completed"}
    ),
)
@idempotent
async def reverse_allocation(
    principal: Writer, allocation_id: uuid.UUID, body: Reversal, session: SessionDep
) -> AllocationPublic:
    """Take materials back from a house with a reversing record; the house's cost follows."""
    await access.allocation_of(session, principal, allocation_id)
    return AllocationPublic.model_validate(
        await service.reverse_allocation(session, allocation_id, body)
    )


@router.get("/house-works/{house_work_id}/costs", response_model=HouseCostsPublic)
async def house_costs(
    principal: Reader, house_work_id: uuid.UUID, session: SessionDep
) -> HouseCostsPublic:
    """Materials allocated to the house against its estimate."""
    await access.house_work_of(session, principal, house_work_id)
    return await service.house_costs(session, house_work_id)
