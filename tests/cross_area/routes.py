"""Every route of every service, and how to call it with another area's id in it.

Routes are read from each app (``app.routes``, so routes left out of the OpenAPI
document are read too); their id slots (an id in the path, the query or the body:
a ``uuid`` parameter or body field, nested or in a list) from the OpenAPI document,
or from the route's own parameters when it is hidden from the document. A route
with id slots is walked when the walker can build its request: every slot's kind
is seeded (``KIND``) and, if it takes a body, ``BODIES`` has one. A route the
walker cannot drive must be in ``NOT_WALKED`` with the reason; a route with no id
anywhere in its request has nothing to swap and is reported as such.
"""

from __future__ import annotations

import copy
import functools
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cross_area.seed import (
    JPEG,
    PNG,
    WELFARE_RULES,
    household_body,
    loan_body,
    national_id,
    sheet,
    tambon_plan_body,
)
from cross_area.stage import OWN, SERVICES, build_app
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from baan_testkit.auth import served_operations

Ids = dict[str, str]
"""One place's seeded ids by kind."""


@dataclass(frozen=True)
class Slot:
    """Where a request carries an id: ``where`` is path, query or body; ``name`` the
    parameter or the body path (``decisions.N.household_id``, ``house_work_ids.N``)."""

    where: str
    name: str

    def __str__(self) -> str:
        return f"{self.where}.{self.name}"


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    slots: tuple[Slot, ...]
    has_body: bool

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


@dataclass(frozen=True)
class Case:
    """One walk: the operation with ``swapped`` slots holding the other area's ids
    (then random ids), every other slot holding the caller's own area's."""

    operation: Operation
    swapped: tuple[Slot, ...]

    @property
    def name(self) -> str:
        slots = "+".join(map(str, self.swapped))
        return f"{self.operation} [{slots}]"


# --- kinds: which seeded object a slot names -----------------------------------------

KIND: dict[str, dict[str, str]] = {
    "survey": {"round_id": "survey_round_id", "supersedes_plan_id": "plan_id"},
    "construction": {"house_work_ids": "house_work_id"},
    "finance": {"fund_id": "revolving_fund_id"},
    "reporting": {},
    "welfare": {"claim_ids": "claim_id"},
}
"""Slot names (last part, list marker dropped) that differ from the seeded kind."""


def kind_of(service: str, slot: Slot) -> str:
    name = [part for part in slot.name.split(".") if part != "N"][-1]
    return KIND[service].get(name, name)


# --- bodies: a valid request of the caller's own area ---------------------------------

Request = dict[str, Any]
"""Keyword arguments for ``httpx.AsyncClient.request`` beyond method and url."""


def _json(body: dict[str, Any] | Callable[[Ids], dict[str, Any]]) -> Callable[[Ids], Request]:
    return lambda own: {"json": body(own) if callable(body) else copy.deepcopy(body)}


ACTOR = "ผู้ประสานงาน"


def statement_line(loan_id: str, reference: str) -> dict[str, Any]:
    """A bank statement's repayment of the seeded loan (active, disbursed 2026-01-01)."""
    return {
        "loan_id": loan_id,
        "payment_reference": reference,
        "amount_satang": 50_000,
        "paid_on": "2026-03-01",
    }


BODIES: dict[tuple[str, str, str], Callable[[Ids], Request]] = {
    # survey
    ("survey", "POST", "/v1/survey-rounds"): _json(
        lambda own: {
            "subdistrict_code": "500101",
            "community_id": own["community_id"],
            "run_by": "surveyors",
            "started_on": "2026-11-01",
        }
    ),
    ("survey", "POST", "/v1/households"): _json(
        lambda own: household_body(
            OWN, survey_round_id=own["survey_round_id"], community_id=own["community_id"]
        )
    ),
    ("survey", "PATCH", "/v1/households/{household_id}"): _json(
        lambda own: {
            "edited_by": ACTOR,
            "reason": "ย้ายชุมชน",
            "survey_round_id": own["survey_round_id"],
            "community_id": own["community_id"],
            "village": "หมู่ 4",
        }
    ),
    ("survey", "POST", "/v1/households/{household_id}/not-a-duplicate"): _json(
        {"reviewed_by": ACTOR, "note": "คนละครัวเรือน"}
    ),
    ("survey", "POST", "/v1/households/{household_id}/members"): _json(
        {"age": 12, "sex": "female", "edited_by": ACTOR}
    ),
    ("survey", "PATCH", "/v1/households/{household_id}/members/{member_id}"): _json(
        {"edited_by": ACTOR, "age": 71}
    ),
    ("survey", "DELETE", "/v1/households/{household_id}/members/{member_id}"): lambda own: {
        "params": {"edited_by": ACTOR, "reason": "ย้ายออก"}
    },
    ("survey", "POST", "/v1/households/{household_id}/screen"): _json({"decided_by": ACTOR}),
    ("survey", "POST", "/v1/households/{household_id}/approve"): _json({"decided_by": ACTOR}),
    ("survey", "POST", "/v1/households/{household_id}/reject"): _json(
        {"decided_by": ACTOR, "reason": "รายได้เกินเกณฑ์"}
    ),
    ("survey", "POST", "/v1/households/{household_id}/waitlist"): _json(
        {"decided_by": ACTOR, "reason": "งบประมาณไม่พอ"}
    ),
    ("survey", "POST", "/v1/household-decisions"): _json(
        lambda own: {
            "decided_by": "คณะกรรมการชุมชน",
            "decisions": [{"household_id": own["household_id"], "decision": "screen"}],
        }
    ),
    ("survey", "POST", "/v1/household-imports"): lambda own: {
        "files": {"file": ("survey.csv", sheet(OWN))},
        "data": {"imported_by": ACTOR, "survey_round_id": own["survey_round_id"]},
    },
    ("survey", "POST", "/v1/households/{household_id}/photos"): lambda own: {
        "files": {"file": ("photo", JPEG, "image/jpeg")},
        "data": {"subject": "house", "uploaded_by": ACTOR},
    },
    ("survey", "POST", "/v1/survey-rounds/{round_id}/finish"): _json({"finished_on": "2026-11-30"}),
    ("survey", "POST", "/v1/tambon-plans"): _json(
        lambda own: tambon_plan_body(OWN, supersedes_plan_id=own["plan_id"], years=5)
    ),
    ("survey", "POST", "/v1/tambon-plans/{plan_id}/agreement"): _json(
        {"by": "สภาองค์กรชุมชนตำบล", "on": "2026-12-01"}
    ),
    ("survey", "POST", "/v1/tambon-plans/{plan_id}/adoption"): _json(
        {"by": "นายก อบต.", "on": "2026-12-02"}
    ),
    # construction
    ("construction", "POST", "/v1/house-works/{house_work_id}/ready"): _json(
        {"reported_by": ACTOR}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/start"): _json(
        {"reported_by": ACTOR}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/progress"): _json(
        {"reported_by": ACTOR, "milestone": "walls"}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/complete"): _json(
        {"inspected_by": "คณะกรรมการตรวจรับ"}
    ),
    ("construction", "PUT", "/v1/house-works/{house_work_id}/planned-end"): _json(
        {"reported_by": ACTOR, "planned_end_on": "2026-08-31"}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/cancel"): _json(
        {"reported_by": ACTOR, "reason": "ครัวเรือนย้ายออก"}
    ),
    ("construction", "PATCH", "/v1/projects/{project_id}"): _json({"name": "โครงการใหม่"}),
    ("construction", "POST", "/v1/projects/{project_id}/house-works"): _json(
        lambda own: {"house_work_ids": [own["planned_house_work_id"]]}
    ),
    ("construction", "POST", "/v1/projects/{project_id}/house-works/ready"): _json(
        lambda own: {"reported_by": ACTOR, "house_work_ids": [own["planned_house_work_id"]]}
    ),
    ("construction", "POST", "/v1/projects/{project_id}/house-works/start"): _json(
        lambda own: {"reported_by": ACTOR, "house_work_ids": [own["planned_house_work_id"]]}
    ),
    ("construction", "POST", "/v1/projects/{project_id}/house-works/complete"): _json(
        lambda own: {"inspected_by": ACTOR, "house_work_ids": [own["house_work_id"]]}
    ),
    ("construction", "POST", "/v1/projects/{project_id}/house-works/progress"): _json(
        lambda own: {
            "reported_by": ACTOR,
            "milestone": "roof",
            "house_work_ids": [own["house_work_id"]],
        }
    ),
    ("construction", "POST", "/v1/house-work-sign-offs"): _json(
        lambda own: {"items": [{"house_work_id": own["house_work_id"], "inspected_by": ACTOR}]}
    ),
    ("construction", "POST", "/v1/house-work-progress"): _json(
        lambda own: {
            "items": [
                {
                    "house_work_id": own["house_work_id"],
                    "milestone": "roof",
                    "reported_by": ACTOR,
                }
            ]
        }
    ),
    ("construction", "PUT", "/v1/house-works/{house_work_id}/milestones/{code}"): _json(
        {"planned_on": "2026-05-01", "reported_by": ACTOR}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/updates/{update_id}/photos"): (
        lambda own: {
            "files": {"file": ("roof.png", PNG, "image/png")},
            "data": {"uploaded_by": ACTOR},
        }
    ),
    ("construction", "POST", "/v1/projects/{project_id}/purchase-orders"): _json(
        {
            "item": "เหล็กเส้น",
            "quantity": 10,
            "unit": "เส้น",
            "unit_price_satang": 20_000,
            "supplier": "ร้านวัสดุ",
            "ordered_by": "คณะกรรมการจัดซื้อ",
        }
    ),
    ("construction", "POST", "/v1/purchase-orders/{order_id}/deliveries"): _json(
        {"quantity": 5, "received_by": "เหรัญญิก"}
    ),
    ("construction", "POST", "/v1/purchase-orders/{order_id}/allocations"): _json(
        lambda own: {"house_work_id": own["house_work_id"], "quantity": 5, "allocated_by": ACTOR}
    ),
    ("construction", "POST", "/v1/deliveries/{delivery_id}/reversal"): _json(
        {"reason": "นับผิด", "reversed_by": ACTOR}
    ),
    ("construction", "POST", "/v1/allocations/{allocation_id}/reversal"): _json(
        {"reason": "จัดสรรผิดหลัง", "reversed_by": ACTOR}
    ),
    ("construction", "POST", "/v1/house-works/{house_work_id}/labour"): _json(
        {"kind": "household", "person_days": 2, "reported_by": ACTOR}
    ),
    # finance
    ("finance", "POST", "/v1/budgets/{budget_id}/allocations/{allocation_id}/reversal"): _json(
        {"reason": "ตั้งงบผิดจังหวัด"}
    ),
    ("finance", "POST", "/v1/loans"): _json(
        lambda own: loan_body(OWN, own["revolving_fund_id"], borrower_id=own["borrower_id"])
    ),
    ("finance", "POST", "/v1/loans/{loan_id}/reschedule"): _json(
        {
            "reason": "น้ำท่วม",
            "effective_on": "2026-03-01",
            "first_due_on": "2026-04-01",
            "term_months": 12,
        }
    ),
    ("finance", "POST", "/v1/loans/{loan_id}/disburse"): _json({"disbursed_on": "2026-01-01"}),
    ("finance", "POST", "/v1/loans/{loan_id}/repayments"): _json(
        {"payment_reference": "PAY-CROSS-1", "amount_satang": 50_000, "paid_on": "2026-03-01"}
    ),
    ("finance", "POST", "/v1/loans/{loan_id}/repayments/{repayment_id}/reversal"): _json(
        {"reason": "โอนผิดบัญชี"}
    ),
    ("finance", "POST", "/v1/bank-statements"): _json(
        lambda own: {"lines": [statement_line(own["loan_id"], "STMT-CROSS-1")]}
    ),
    ("finance", "POST", "/v1/revolving-funds/{fund_id}/deposits"): _json(
        {"amount_satang": 10_000, "reference": "DEP-CROSS-1"}
    ),
    # welfare
    ("welfare", "PUT", "/v1/funds/{fund_id}/committee"): _json(
        {"members": [{"name": "ประธานใหม่", "role": "chair"}]}
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/rule-versions"): _json(
        lambda own: {
            "effective_from": "2025-01-01",
            "adopted_by": "ที่ประชุมใหญ่",
            "rules": WELFARE_RULES,
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/income"): _json(
        {"amount_satang": 10_000, "received_on": "2025-01-01", "reference": "DON-CROSS-1"}
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/match-requests"): _json(
        {
            "matcher": "local_administration",
            "period_from": "2024-01-01",
            "period_to": "2024-12-31",
            "amount_satang": 100,
            "requested_by": ACTOR,
        }
    ),
    ("welfare", "POST", "/v1/members"): _json(
        lambda own: {
            "fund_id": own["fund_id"],
            "national_id": national_id(),
            "name": "สมาชิกใหม่",
            "joined_on": "2024-01-01",
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/member-sheets"): _json(
        lambda own: {
            "rows": [{"national_id": national_id(), "name": "สมาชิกใหม่", "joined_on": "2024-01-01"}]
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/member-sheets/file"): lambda own: {
        "files": {
            "file": (
                "ทะเบียนสมาชิก.csv",
                "เลขประจำตัวประชาชน,ชื่อ-นามสกุล,วันที่สมัคร\n"
                f"{national_id()},สมาชิกใหม่,2024-01-01\n".encode(),
                "text/csv",
            )
        },
    },
    ("welfare", "POST", "/v1/members/{member_id}/status"): _json(
        {"status": "lapsed", "on": "2025-01-01"}
    ),
    ("welfare", "POST", "/v1/contributions"): _json(
        lambda own: {
            "member_id": own["member_id"],
            "amount_satang": 3_000,
            "paid_on": "2025-01-01",
            "reference": "R-CROSS-1",
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/contribution-sheets"): _json(
        lambda own: {
            "reference": "SHEET-CROSS-1",
            "rows": [
                {
                    "member_id": own["member_id"],
                    "amount_satang": 3_100,
                    "paid_on": "2025-01-31",
                    "reference": "R-SHEET-CROSS-1",
                }
            ],
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/contribution-sheets/file"): lambda own: {
        "files": {
            "file": (
                "มกราคม.csv",
                "รหัสสมาชิก,วันที่ชำระ,จำนวนเงิน,เลขที่ใบเสร็จ\n"
                f"{own['member_id']},2025-01-31,31,R-FILE-CROSS-1\n".encode(),
                "text/csv",
            )
        },
    },
    ("welfare", "POST", "/v1/claims"): _json(
        lambda own: {
            "member_id": own["member_id"],
            "kind": "disaster",
            "event_date": "2025-02-01",
            "amount_satang": 50_000,
            "claimed_by": ACTOR,
        }
    ),
    ("welfare", "POST", "/v1/claims/{claim_id}/decision"): _json(
        {"approve": True, "decided_by": "คณะกรรมการกองทุน"}
    ),
    ("welfare", "POST", "/v1/claims/{claim_id}/payment"): _json({"paid_on": "2025-03-05"}),
    ("welfare", "POST", "/v1/funds/{fund_id}/claim-sheets"): _json(
        lambda own: {
            "rows": [
                {
                    "member_id": own["member_id"],
                    "kind": "disaster",
                    "event_date": "2025-02-01",
                    "amount_satang": 50_000,
                    "claimed_by": ACTOR,
                }
            ]
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/claim-sheets/file"): lambda own: {
        "files": {
            "file": (
                "ใบขอรับสวัสดิการ.csv",
                "รหัสสมาชิก,ประเภทสวัสดิการ,วันที่เกิดเหตุ,จำนวนเงิน,ผู้ยื่นคำขอ\n"
                f"{own['member_id']},ภัยพิบัติ,2025-02-01,500,{ACTOR}\n".encode(),
                "text/csv",
            )
        },
    },
    ("welfare", "POST", "/v1/funds/{fund_id}/claim-decisions"): _json(
        lambda own: {
            "decided_by": "คณะกรรมการกองทุน",
            "decisions": [{"claim_id": own["claim_id"], "approve": True}],
        }
    ),
    ("welfare", "POST", "/v1/funds/{fund_id}/claim-payments"): _json(
        lambda own: {"paid_on": "2025-03-05", "claim_ids": [own["claim_id"]]}
    ),
    ("welfare", "POST", "/v1/match-requests/{request_id}/decision"): _json(
        {"approve": True, "decided_by": ACTOR}
    ),
}


NOT_WALKED: dict[tuple[str, str, str], str] = {
    ("reporting", "GET", "/v1/rebuilds/{run_id}"): (
        "a rebuild of the projections belongs to no area: only the national administration "
        "(admin scope) reads it, every partner token is refused (test_route_scopes)"
    ),
}
"""Routes with ids that the walker cannot drive, and why."""

SLOTS_NOT_WALKED: dict[tuple[str, str, str, str], str] = {
    ("finance", "POST", "/v1/loans", "body.borrower_id"): (
        "finance keeps no borrowers: a new loan may name any household or organisation id "
        "(a random one is accepted too), its area being the body's province_code, which "
        "forbid_unless_covered checks"
    ),
}
"""Id slots the walker leaves alone, and why (the route's other slots are walked)."""


# --- reading the apps -------------------------------------------------------------------


@functools.cache
def reading_app(service: str) -> FastAPI:
    """An app to read routes and schemas from (never started)."""
    return build_app(service, None, Path(tempfile.gettempdir()))


def _uuid_paths(schema: dict[str, Any], where: str, components: dict[str, Any]) -> Iterator[str]:
    def walk(node: dict[str, Any], at: str, seen: frozenset[str]) -> Iterator[str]:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from walk(components[name], at, seen | {name})
            return
        for combinator in ("anyOf", "oneOf", "allOf"):
            for option in node.get(combinator, []):
                yield from walk(option, at, seen)
        if node.get("format") == "uuid":
            yield at
        for name, child in node.get("properties", {}).items():
            yield from walk(child, f"{at}.{name}" if at else name, seen)
        if isinstance(node.get("items"), dict):
            yield from walk(node["items"], f"{at}.N", seen)

    yield from walk(schema, where, frozenset())


def _hidden_slots(route: Any) -> tuple[tuple[Slot, ...], bool]:
    """A hidden route's uuid path and query parameters, and whether it takes a body."""
    slots: list[Slot] = []
    has_body = False

    def walk(dependant: Dependant) -> None:
        nonlocal has_body
        for where, fields in (("path", dependant.path_params), ("query", dependant.query_params)):
            slots.extend(
                Slot(where, field.name)
                for field in fields
                if "UUID" in str(field.field_info.annotation)
            )
        has_body = has_body or bool(dependant.body_params)
        for child in dependant.dependencies:
            walk(child)

    walk(route.dependant)
    return tuple(slots), has_body


def _hidden_routes(app: FastAPI) -> dict[tuple[str, str], Any]:
    """(method, path) of every route left out of the OpenAPI document, with its route."""
    hidden = {}
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", lambda r=route: [r])()
        for context in contexts:
            original = getattr(context, "original_route", context)
            if isinstance(original, APIRoute) and not original.include_in_schema:
                for method in original.methods or ():
                    hidden[(method, context.path)] = context
    return hidden


@functools.cache
def operations(service: str) -> tuple[Operation, ...]:
    """Every operation the service answers, with its id slots."""
    app = reading_app(service)
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    hidden = _hidden_routes(app)
    found = []
    for method, path in served_operations(app):
        described = document["paths"].get(path, {}).get(method.lower())
        if described is not None:
            slots: list[Slot] = []
            for parameter in described.get("parameters", []):
                if parameter["in"] in ("path", "query"):
                    slots += [
                        Slot(parameter["in"], parameter["name"])
                        for _ in _uuid_paths(parameter.get("schema", {}), "", components)
                    ]
            content = described.get("requestBody", {}).get("content", {})
            for media in content.values():
                slots += [Slot("body", at) for at in _uuid_paths(media["schema"], "", components)]
            unique = tuple(dict.fromkeys(slots))
            found.append(Operation(service, method, path, unique, bool(content)))
        elif (method, path) in hidden:
            slots_hidden, has_body = _hidden_slots(hidden[(method, path)])
            found.append(Operation(service, method, path, slots_hidden, has_body))
        else:
            # a plain route (metrics...): an id could only be in its path
            slots_plain = tuple(
                Slot("path", part[1:-1]) for part in path.split("/") if part.startswith("{")
            )
            found.append(Operation(service, method, path, slots_plain, False))
    return tuple(found)


PATH_VALUES = {"code": "roof"}
"""Path parameters that are not ids (a milestone code) take these values."""


def walkable(operation: Operation) -> str | None:
    """Why the walker cannot build this operation's request, or None."""
    key = (operation.service, operation.method, operation.path)
    if operation.has_body and key not in BODIES:
        return "takes a body and BODIES has none"
    ids = {slot.name for slot in operation.slots if slot.where == "path"}
    for part in operation.path.split("/"):
        if part.startswith("{") and part[1:-1] not in ids | set(PATH_VALUES):
            return f"path parameter {part} is no id and PATH_VALUES has no value for it"
    return None


def cases(service: str) -> list[Case]:
    """Each id slot swapped on its own (the others the caller's own), and all at once."""
    found = []
    for operation in operations(service):
        key = (operation.service, operation.method, operation.path)
        if not operation.slots or key in NOT_WALKED or walkable(operation):
            continue
        slots = tuple(slot for slot in operation.slots if (*key, str(slot)) not in SLOTS_NOT_WALKED)
        for slot in slots:
            found.append(Case(operation, (slot,)))
        if len(slots) > 1:
            found.append(Case(operation, slots))
    return found


def all_cases() -> list[Case]:
    return [case for service in SERVICES for case in cases(service)]


def random_id() -> str:
    """A fresh id of the shape the services give (UUIDv7), naming nothing."""
    from baan_shared.ids import new_id

    value: uuid.UUID = new_id()
    return str(value)
