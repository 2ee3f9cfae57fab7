"""Calling a case twice (the other area's ids, then random ids) and what must not change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cross_area.routes import PATH_VALUES, Case, Ids, Request, Slot, kind_of, random_id
from cross_area.stage import Caller, World
from sqlalchemy import MetaData, select

IGNORED_TABLES = {"audit_log", "rate_limit_counters", "alembic_version"}
"""Written by every request, refused or not (the audit trail, rate limits)."""

MASK = "<id>"


@dataclass
class Answer:
    status: int
    content_type: str
    content_disposition: str
    body: Any

    def show(self) -> str:
        return f"{self.status} {self.content_type} {json.dumps(self.body, ensure_ascii=False)}"


def _set(body: Any, path: list[str], value: str) -> None:
    head, *rest = path
    if head == "N":
        if not rest:
            body[0] = value
        else:
            _set(body[0], rest, value)
        return
    if not rest:
        body[head] = value
    else:
        _set(body[head], rest, value)


def build(case: Case, world: World, swapped: dict[Slot, str], place: str) -> tuple[str, Request]:
    """The request of the caller's own ``place``, with ``swapped`` slots holding those ids."""
    operation = case.operation
    own: Ids = world.ids[place]

    def value(slot: Slot) -> str:
        return swapped.get(slot) or seeded(world, place, kind_of(operation.service, slot))

    from cross_area.routes import BODIES

    key = (operation.service, operation.method, operation.path)
    request: Request = BODIES[key](own) if key in BODIES else {}
    path = operation.path
    for slot in operation.slots:
        if slot.where == "path":
            path = path.replace("{" + slot.name + "}", value(slot))
        elif slot.where == "query" and slot in swapped:
            request.setdefault("params", {})[slot.name] = swapped[slot]
        elif slot.where == "body":
            if "json" in request:
                _set(request["json"], slot.name.split("."), value(slot))
            else:
                request.setdefault("data", {})[slot.name] = value(slot)
    for name, fixed in PATH_VALUES.items():
        path = path.replace("{" + name + "}", fixed)
    return path, request


async def call(
    client: httpx.AsyncClient, case: Case, world: World, ids: dict[Slot, str], place: str
) -> Answer:
    """The answer to the request of ``place`` with ``ids`` swapped in, every id of
    ``ids`` masked (with or without dashes)."""
    path, request = build(case, world, ids, place)
    response = await client.request(case.operation.method, path, **request)
    text = response.content.decode("utf-8", errors="replace")
    for identifier in ids.values():
        text = text.replace(identifier, MASK).replace(identifier.replace("-", ""), MASK)
    try:
        body: Any = json.loads(text) if text else None
    except json.JSONDecodeError:
        body = text
    return Answer(
        response.status_code,
        response.headers.get("content-type", ""),
        response.headers.get("content-disposition", "").replace(MASK, MASK),
        body,
    )


def seeded(world: World, place: str, kind: str) -> str:
    if kind not in world.ids[place]:
        pytest.fail(
            f"nothing of kind {kind!r} is seeded in {world.service}: seed one in "
            "cross_area.seed, map the slot onto a seeded kind in routes.KIND, or list the "
            "route in routes.NOT_WALKED with the reason"
        )
    return world.ids[place][kind]


def foreign_ids(case: Case, world: World, caller: Caller) -> dict[Slot, str]:
    """The swapped slots' ids of the objects outside the caller's areas."""
    service = case.operation.service
    return {slot: seeded(world, caller.elsewhere, kind_of(service, slot)) for slot in case.swapped}


def random_ids(case: Case) -> dict[Slot, str]:
    return {slot: random_id() for slot in case.swapped}


_tables: dict[tuple[str, str], MetaData] = {}
"""Each service's tables on each kind of database, reflected once (its migrations)."""


async def snapshot(world: World) -> dict[str, str]:
    """A digest of every table of the service's database (but the audit trail) and of
    its stored files: what a refused request must leave as it was."""
    engine = world.app.state.runtime.engine
    async with engine.connect() as connection:
        key = (world.service, engine.dialect.name)
        if key not in _tables:
            metadata = MetaData()
            await connection.run_sync(metadata.reflect)
            _tables[key] = metadata
        metadata = _tables[key]
        digests = {}
        for name, table in sorted(metadata.tables.items()):
            if name in IGNORED_TABLES:
                continue
            rows = (await connection.execute(select(table))).all()
            lines = sorted(json.dumps([str(v) for v in row], ensure_ascii=False) for row in rows)
            digests[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] + (
                f" ({len(rows)} rows)"
            )
    files = world.files
    stored = sorted(
        f"{p.relative_to(files)}:{p.stat().st_size}" for p in files.rglob("*") if p.is_file()
    )
    digests["<files>"] = hashlib.sha256("\n".join(stored).encode()).hexdigest()[:16] + (
        f" ({len(stored)} files)"
    )
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    return {
        name: f"{before.get(name)} -> {after.get(name)}"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }
