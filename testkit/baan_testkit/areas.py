"""Test helpers for the cross-area guarantee: no list, search, export, report or
dashboard endpoint returns another area's rows.

``area_leaks`` calls every parameterless GET operation of a service with a
one-area client and reports each row that lies outside the client's areas.
A row is any JSON object (or CSV line) carrying ``province_code``,
``district_code`` or ``subdistrict_code`` (also with a prefix, e.g.
``household_province_code``). Used from a service's tests::

    leaks = await area_leaks(client, app, Principal.of("bkk", areas=["10"]))
    assert leaks == {}

A report row at a coarser level than the client's areas (a province total for
a district client) counts as outside: the client should not see it unless the
service computed it from the client's rows only; skip such paths knowingly.
"""

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from fastapi import FastAPI

from baan_shared.auth.principal import Principal

_LEVELS = ("subdistrict_code", "district_code", "province_code")


class _Response(Protocol):
    status_code: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any: ...


class _Client(Protocol):
    async def get(self, url: str, **kwargs: Any) -> Any: ...


def _codes(row: Mapping[str, Any]) -> dict[str, str] | None:
    """The row's area codes by level, or None if it carries none."""
    found: dict[str, str] = {}
    for key, value in row.items():
        if not isinstance(value, str) or not value:
            continue
        for level in _LEVELS:
            if key == level or key.endswith("_" + level):
                found.setdefault(level, value)
                break
    return found or None


def _outside(codes: dict[str, str], principal: Principal) -> bool:
    return not principal.covers(
        codes.get("province_code"), codes.get("district_code"), codes.get("subdistrict_code")
    )


def foreign_rows(payload: Any, principal: Principal, path: str = "$") -> list[str]:
    """JSON paths of the objects in ``payload`` placed outside the principal's areas."""
    outside: list[str] = []
    if isinstance(payload, Mapping):
        codes = _codes(payload)
        if codes is not None and _outside(codes, principal):
            outside.append(f"{path} {codes}")
        for key, value in payload.items():
            outside.extend(foreign_rows(value, principal, f"{path}.{key}"))
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            outside.extend(foreign_rows(item, principal, f"{path}[{index}]"))
    return outside


def foreign_csv_rows(text: str, principal: Principal) -> list[str]:
    """Lines of a CSV export (header first) placed outside the principal's areas."""
    outside = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2):
        codes = _codes(row)
        if codes is not None and _outside(codes, principal):
            outside.append(f"line {line} {codes}")
    return outside


def collection_paths(app: FastAPI, *, skip: Iterable[str] = ()) -> list[str]:
    """GET operations without path parameters: the lists, searches, exports and reports."""
    skipped = tuple(skip)
    return [
        path
        for path, operations in app.openapi().get("paths", {}).items()
        if "get" in operations and "{" not in path and not path.startswith(skipped)
    ]


async def area_leaks(
    client: _Client,
    app: FastAPI,
    principal: Principal,
    *,
    skip: Iterable[str] = ("/health", "/metrics", "/v1/audit-log"),
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, list[str]]:
    """``{path: [rows outside the areas]}`` for every collection the client reads.

    ``client`` must already send the principal's token; ``params`` gives query
    parameters a path needs (e.g. a fiscal year). A path answering other than
    200 is reported too, so a broken endpoint cannot pass as "no leak".
    """
    leaks: dict[str, list[str]] = {}
    for path in collection_paths(app, skip=skip):
        response: _Response = await client.get(path, params=dict((params or {}).get(path, {})))
        if response.status_code != 200:
            leaks[path] = [f"status {response.status_code}"]
            continue
        content_type = response.headers.get("content-type", "")
        if "json" in content_type:
            found = foreign_rows(response.json(), principal)
        elif "csv" in content_type:
            found = foreign_csv_rows(response.text, principal)
        else:
            found = []  # HTML pages, spreadsheets: test their data endpoints instead
        if found:
            leaks[path] = found
    return leaks
