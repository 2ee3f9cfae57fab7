"""The four services in-process on one database kind, and what the national office seeded.

``Stage.world(service)`` starts the service's app on first use (its lifespan, as a
server would, with Kafka switched off) and seeds, as the national office, one object
of every kind in province 57 (``ELSEWHERE``), in province 50 (``OWN``, district 5001)
in district 5002 of province 50 (``NEIGHBOUR``) and in sub-district 500102 of district
5001 (``NEXT_DOOR``); what
normally arrives by Kafka is delivered through the service's own handlers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from fastapi import FastAPI

from baan_shared.auth.scopes import ADMIN, SCOPES
from baan_shared.registry import SERVICE_NAMES
from baan_testkit import auth as auth_testing
from baan_testkit.apps import build_app as build_service_app
from baan_testkit.apps import service_settings

ELSEWHERE = "57"
OWN = "50"
NEIGHBOUR = "5002"
NEXT_DOOR = "500102"

PLACES: dict[str, dict[str, str]] = {
    ELSEWHERE: {"province_code": "57", "district_code": "5701", "subdistrict_code": "570101"},
    OWN: {"province_code": "50", "district_code": "5001", "subdistrict_code": "500101"},
    NEIGHBOUR: {"province_code": "50", "district_code": "5002", "subdistrict_code": "500203"},
    NEXT_DOOR: {"province_code": "50", "district_code": "5001", "subdistrict_code": "500102"},
}

OFFICES = {
    ELSEWHERE: "chiang-rai-office",
    OWN: "chiang-mai-office",
    NEIGHBOUR: "district-5002",
    NEXT_DOOR: "subdistrict-500102",
}
"""Client ids of the offices bound to each place (by its code)."""


@dataclass(frozen=True)
class Caller:
    """The client walking the routes: bound to ``areas``, it owns the objects seeded in
    place ``own``; those of place ``elsewhere`` lie outside its areas."""

    name: str
    areas: tuple[str, ...]
    own: str
    elsewhere: str


CALLERS = (
    Caller("province-50", (OWN,), OWN, ELSEWHERE),
    Caller("district-5001", ("5001",), OWN, NEIGHBOUR),
    Caller("subdistrict-500101", ("500101",), OWN, NEXT_DOOR),
)
"""A provincial office against another province's objects, a district office against
another district's of its own province, a sub-district office against another
sub-district's of its own district."""

SERVICES = SERVICE_NAMES

SETTINGS: dict[str, dict[str, Any]] = {"construction": {"photo_max_bytes": 64 * 1024}}
"""Settings of a service's app beside the test kit's (``baan_testkit.apps``)."""

PARTNER_SCOPES = tuple(scope for scope in SCOPES if scope != ADMIN)
"""The province-50 client holds every scope but ``admin`` (which widens areas)."""


@dataclass
class World:
    """A started service and the ids of what was seeded in each place, by kind."""

    service: str
    app: FastAPI
    files: Path
    ids: dict[str, dict[str, str]] = field(default_factory=dict)

    def national(self) -> httpx.AsyncClient:
        return client(self.app, self.service, ["*"], "baan-national", [*SCOPES])

    def partner(self, place: str = OWN) -> httpx.AsyncClient:
        """The office bound to the place (by default province 50), with every scope but
        ``admin`` (which widens areas)."""
        return client(self.app, self.service, [place], OFFICES[place], PARTNER_SCOPES)

    def caller(self, caller: Caller) -> httpx.AsyncClient:
        """The walking client: province 50's office, its token bound to ``caller.areas``."""
        return client(self.app, self.service, list(caller.areas), OFFICES[OWN], PARTNER_SCOPES)


def client(
    app: FastAPI, service: str, areas: list[str], client_id: str, scopes: Any
) -> httpx.AsyncClient:
    headers = auth_testing.token_headers(auth_testing.session_issuer(), client_id, scopes, areas)
    return auth_testing.asgi_client(app, f"http://{service}", headers)


Seeder = Callable[[World, str], Awaitable[dict[str, str]]]


class Stage:
    """One database kind (``sqlite`` or ``postgresql``), its apps and their worlds."""

    def __init__(self, kind: str, root: Path, database_url: Callable[[str], str]) -> None:
        self.kind = kind
        self.root = root
        self.database_url = database_url
        self.worlds: dict[str, World] = {}
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Stage:
        await self._stack.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._stack.__aexit__(kind, error, trace)

    async def world(self, service: str) -> World:
        if service not in self.worlds:
            from cross_area import seed

            files = self.root / service
            app = build_app(service, self.database_url(service), files)
            await self._stack.enter_async_context(app.router.lifespan_context(app))
            world = World(service, app, files)
            seeder: Seeder = getattr(seed, service)
            for place in PLACES:
                world.ids[place] = await seeder(world, place)
            self.worlds[service] = world
        return self.worlds[service]


def build_app(service: str, database_url: str | None, files: Path) -> FastAPI:
    """The service's app on ``database_url`` with Kafka switched off, trusting the test
    issuer; with no URL, an app only to read routes and schemas from."""
    issuer = auth_testing.session_issuer()
    # The walk sends hundreds of requests as one client: no rate limit (a 429 to both
    # calls would make any two answers alike).
    auth = auth_testing.auth_settings(issuer, rate_limit_enabled=False)
    url = database_url or f"sqlite+aiosqlite:///{files}/unused.db"
    settings = service_settings(service, files, database_url=url, **SETTINGS.get(service, {}))
    return build_service_app(service, settings, auth)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
