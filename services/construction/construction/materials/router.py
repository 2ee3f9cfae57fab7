"""/v1/projects/{id}/purchase-orders, /v1/purchase-orders/{id}/deliveries and
/allocations, and /v1/house-works/{id}/costs."""

import uuid

from fastapi import APIRouter, status

from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from construction.materials import repository, service
from construction.materials.schemas import (
    AllocationCreate,
    AllocationPublic,
    DeliveryCreate,
    DeliveryPublic,
    HouseCostsPublic,
    PurchaseOrderCreate,
    PurchaseOrderPublic,
)
from construction.projects import service as projects

PROBLEMS = problem_responses(
    {
        404: "No such project, purchase order or house work",
        409: "More than was ordered (or delivered), or a house outside the project",
        422: "Invalid input; `errors` names each field",
    }
)

router = APIRouter(prefix="/v1", tags=["materials"], responses=PROBLEMS)


@router.post(
    "/projects/{project_id}/purchase-orders",
    response_model=PurchaseOrderPublic,
    status_code=status.HTTP_201_CREATED,
)
async def create_purchase_order(
    project_id: uuid.UUID, body: PurchaseOrderCreate, session: SessionDep
) -> PurchaseOrderPublic:
    """Materials the project buys together from one supplier."""
    return await service.public(session, await service.order(session, project_id, body))


@router.get("/projects/{project_id}/purchase-orders", response_model=list[PurchaseOrderPublic])
async def list_purchase_orders(
    project_id: uuid.UUID, session: SessionDep
) -> list[PurchaseOrderPublic]:
    """The project's orders, each with how much was delivered and allocated."""
    await projects.get(session, project_id)
    return [
        await service.public(session, o) for o in await repository.orders_of(session, project_id)
    ]


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderPublic)
async def get_purchase_order(order_id: uuid.UUID, session: SessionDep) -> PurchaseOrderPublic:
    return await service.public(session, await service.get_order(session, order_id))


@router.post(
    "/purchase-orders/{order_id}/deliveries",
    response_model=DeliveryPublic,
    status_code=status.HTTP_201_CREATED,
)
async def record_delivery(
    order_id: uuid.UUID, body: DeliveryCreate, session: SessionDep
) -> DeliveryPublic:
    return DeliveryPublic.model_validate(await service.deliver(session, order_id, body))


@router.post(
    "/purchase-orders/{order_id}/allocations",
    response_model=AllocationPublic,
    status_code=status.HTTP_201_CREATED,
)
async def allocate_to_house(
    order_id: uuid.UUID, body: AllocationCreate, session: SessionDep
) -> AllocationPublic:
    """Delivered materials given to one house of the project; counts toward its cost."""
    return AllocationPublic.model_validate(await service.allocate(session, order_id, body))


@router.get("/house-works/{house_work_id}/costs", response_model=HouseCostsPublic)
async def house_costs(house_work_id: uuid.UUID, session: SessionDep) -> HouseCostsPublic:
    """Materials allocated to the house against its estimate."""
    return await service.house_costs(session, house_work_id)
