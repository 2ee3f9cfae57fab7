"""Setting and reading targets: the rules a target must follow.

A target is keyed by programme × fiscal year × period (year, h1, h2) × area
(country, regional office or province) × unit. Setting one with an existing
key replaces its quantity. A batch is checked whole before anything is
written, so a bad row changes nothing.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal
from baan_shared.clock import utcnow
from baan_shared.errors import Forbidden, Unprocessable, field_error
from reporting.geography import COUNTRY_CODE, AreaLevel, area_names, office_map
from reporting.reports.models import TARGETS
from reporting.reports.repository import record_edit
from reporting.targets import repository
from reporting.targets.models import PROGRAMME_UNITS, Target, TargetLevel
from reporting.targets.repository import TargetFilter
from reporting.targets.schemas import TargetKey, TargetPublic, TargetSet, TargetsPublic, TargetsSet


def key_of(target: TargetKey | Target) -> tuple[str, int, str, str, str, str]:
    return (
        str(target.programme),
        target.fiscal_year,
        str(target.period),
        str(target.area_level),
        target.area_code,
        str(target.unit),
    )


def area_problem(level: AreaLevel, code: str) -> str | None:
    """Why ``code`` names no area at ``level`` (None when it does)."""
    offices = office_map()
    if level == AreaLevel.COUNTRY and code != COUNTRY_CODE:
        return f"the country's code is {COUNTRY_CODE}"
    if level == AreaLevel.REGION and code not in offices.regions:
        return f"unknown regional office; one of {', '.join(offices.regions)}"
    if level == AreaLevel.PROVINCE and code not in offices.provinces:
        return "unknown province code (official 2-digit code, e.g. 57)"
    return None


def _problems(index: int, target: TargetSet) -> list[dict[str, Any]]:
    at = f"body.targets.{index}"
    found = []
    units = PROGRAMME_UNITS[target.programme]
    if target.unit not in units:
        found.append(
            field_error(
                f"{at}.unit",
                f"{target.programme.value} counts in {', '.join(sorted(units))}",
                "unit",
            )
        )
    # The level is one of TargetLevel (the schema refuses any other): its code must fit.
    if (problem := area_problem(AreaLevel(target.area_level), target.area_code)) is not None:
        found.append(field_error(f"{at}.area_code", problem, "area_code"))
    return found


def public(target: Target) -> TargetPublic:
    name_th, name_en = area_names(target.area_level, target.area_code)
    return TargetPublic(
        programme=target.programme,
        fiscal_year=target.fiscal_year,
        period=target.period,
        area_level=TargetLevel(target.area_level),
        area_code=target.area_code,
        unit=target.unit,
        quantity=target.quantity,
        area_name_th=name_th,
        area_name_en=name_en,
        updated_at=target.updated_at,
    )


def _national_only(principal: Principal) -> None:
    """Targets are the agency's national plan: a provincial office reads its province's
    but does not set them, not even its own (it would set its own bar)."""
    if not principal.all_areas:
        raise Forbidden(
            f"client {principal.client_id!r} is bound to areas; only a national client "
            "sets targets",
            errors=[
                field_error(
                    "body.targets", "only a national client (every area) sets targets", "area"
                )
            ],
        )


async def set_targets(
    session: AsyncSession, body: TargetsSet, principal: Principal
) -> TargetsPublic:
    _national_only(principal)
    problems: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, str, str, str, str], int] = {}
    for index, target in enumerate(body.targets):
        problems += _problems(index, target)
        key = key_of(target)
        if key in seen:
            problems.append(
                field_error(
                    f"body.targets.{index}", f"same target as body.targets.{seen[key]}", "duplicate"
                )
            )
        seen.setdefault(key, index)
    if problems:
        raise Unprocessable("Some targets are not valid; nothing was set", errors=problems)

    now = utcnow()
    saved = []
    for target in body.targets:
        row = await repository.get(session, key_of(target))
        if row is None:
            row = Target(
                **target.model_dump(exclude={"quantity", "area_level"}),
                area_level=AreaLevel(target.area_level),
                quantity=target.quantity,
            )
        row.quantity = target.quantity
        row.updated_at = now
        saved.append(row)
    await repository.save(session, saved)
    await record_edit(session, TARGETS)  # the answers kept for the targets before go
    return TargetsPublic(targets=[public(row) for row in saved])


async def list_targets(session: AsyncSession, where: TargetFilter) -> TargetsPublic:
    return TargetsPublic(targets=[public(row) for row in await repository.find(session, where)])
