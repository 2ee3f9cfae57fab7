"""Fund rules of the house: register a fund in an area the client covers, keep its
committee and its rule versions, and take other income into its books.

A fund lies in its tambon (the official sub-district code), so the client's areas
decide which funds it sees (``baan_shared.auth.areas``: another area's fund answers
exactly as a random id). Nothing here commits; the caller's unit of work does.
"""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, not_found_unless_covered, unknown_reference
from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.events.catalog import WelfareFundRegistered
from baan_shared.outbox import record_event
from welfare import SOURCE
from welfare.areas import place
from welfare.books import service as books
from welfare.books.ledger import MovementKind
from welfare.funds import repository
from welfare.funds.models import Fund, FundRuleVersion
from welfare.funds.rules import FundRules, in_force
from welfare.funds.schemas import Committee, FundCreate, OtherIncome, RuleVersionCreate


def covers(principal: Principal, fund: Fund) -> bool:
    return principal.covers(fund.province_code, fund.district_code, fund.subdistrict_code)


async def get(
    session: AsyncSession, fund_id: uuid.UUID, principal: Principal | None = None
) -> Fund:
    """The fund; with ``principal``, the same 404 for one outside the client's areas as
    for a missing one."""
    what = f"welfare fund {fund_id}"
    fund = await repository.get(session, fund_id)
    if fund is None:
        raise does_not_exist(what)
    if principal is not None:
        not_found_unless_covered(
            principal,
            what,
            province=fund.province_code,
            district=fund.district_code,
            subdistrict=fund.subdistrict_code,
        )
    return fund


async def referenced(
    session: AsyncSession, principal: Principal, field: str, fund_id: uuid.UUID
) -> Fund:
    """A fund named in a request body: missing or outside the client's areas, the same 422."""
    fund = await repository.get(session, fund_id)
    if fund is None or not covers(principal, fund):
        raise unknown_reference(field, "welfare fund", fund_id)
    return fund


def place_of_new(body: FundCreate) -> tuple[str, str, str]:
    found = place(body.subdistrict_code)
    if found is None:
        reason = "no tambon (sub-district) has this official code"
        raise Unprocessable(
            f"unknown sub-district {body.subdistrict_code}",
            errors=[
                field_error(
                    "body.subdistrict_code", reason, "area-code", value=body.subdistrict_code
                )
            ],
        )
    return found


def _exists(body: FundCreate) -> Conflict:
    return Conflict(
        f"tambon {body.subdistrict_code} already has a {body.kind.value} welfare fund",
        errors=[
            field_error(
                "body.subdistrict_code",
                f"one {body.kind.value} fund per tambon: this one already has one",
                "one-fund-per-area",
                value=body.subdistrict_code,
            )
        ],
    )


async def register(session: AsyncSession, body: FundCreate) -> Fund:
    """Register a fund (the caller checked the area is the client's: ``place_of_new``)."""
    province, district, subdistrict = place_of_new(body)
    if await repository.find(session, body.kind, subdistrict) is not None:
        raise _exists(body)
    fund = Fund(
        kind=body.kind,
        name=body.name,
        province_code=province,
        district_code=district,
        subdistrict_code=subdistrict,
        registered_on=body.registered_on,
        committee=[m.model_dump(mode="json") for m in body.committee],
    )
    try:
        async with session.begin_nested():
            session.add(fund)
    except IntegrityError as exc:  # registered concurrently
        raise _exists(body) from exc
    if body.rules is not None:
        session.add(
            FundRuleVersion(
                fund_id=fund.id,
                effective_from=body.registered_on,
                rules=body.rules.model_dump(mode="json"),
                adopted_by="registration",
            )
        )
    await record_event(
        session,
        WelfareFundRegistered(**books.facts(fund), registered_on=fund.registered_on),
        source=SOURCE,
    )
    return fund


async def adopt_rules(
    session: AsyncSession, fund: Fund, body: RuleVersionCreate
) -> FundRuleVersion:
    """A new version of the rules, in force from its date until the next version's.
    One version per date: a second one the same day is refused (409)."""
    existing = await repository.rule_versions(session, fund.id)
    if any(v.effective_from == body.effective_from for v in existing):
        raise Conflict(
            f"the fund already has rules in force from {body.effective_from}",
            errors=[
                field_error(
                    "body.effective_from",
                    "a rule version already takes effect on this date",
                    "version-exists",
                    value=body.effective_from,
                )
            ],
        )
    version = FundRuleVersion(
        fund_id=fund.id,
        effective_from=body.effective_from,
        rules=body.rules.model_dump(mode="json"),
        adopted_by=body.adopted_by,
    )
    session.add(version)
    await session.flush()
    return version


RulesOn = Callable[[date], tuple[FundRules, date] | None]
"""The rules in force on a day and the day they took effect (None: no rules yet)."""


async def rules_by_date(session: AsyncSession, fund_id: uuid.UUID) -> RulesOn:
    """The fund's rule versions read once, for judging many claims: each version
    parsed once, whatever the number of days asked."""
    versions = await repository.rule_versions(session, fund_id)
    parsed: dict[date, FundRules] = {}

    def on(day: date) -> tuple[FundRules, date] | None:
        version = in_force(versions, day)
        if version is None:
            return None
        if version.effective_from not in parsed:
            parsed[version.effective_from] = FundRules.model_validate(version.rules)
        return parsed[version.effective_from], version.effective_from

    return on


async def rules_in_force(
    session: AsyncSession, fund_id: uuid.UUID, on: date
) -> tuple[FundRules, date] | None:
    return (await rules_by_date(session, fund_id))(on)


async def set_committee(session: AsyncSession, fund: Fund, body: Committee) -> Fund:
    fund.committee = [m.model_dump(mode="json") for m in body.members]
    session.add(fund)
    await session.flush()
    return fund


async def receive_income(session: AsyncSession, fund: Fund, body: OtherIncome) -> Fund:
    """Donations, interest: booked once per reference (409 if used)."""
    reference = f"income:{body.reference}"
    if await books.repository.movement(session, fund.id, reference) is not None:
        raise Conflict(
            f"income {body.reference} is already booked",
            errors=[
                field_error(
                    "body.reference", "already booked", "reference-used", value=body.reference
                )
            ],
        )
    await books.book(
        session,
        fund,
        MovementKind.OTHER_INCOME,
        body.amount_satang,
        occurred_on=body.received_on,
        reference=reference,
    )
    return fund


async def page(session: AsyncSession, **filters: Any) -> list[Fund]:
    """A page of the funds in the client's areas (``repository.page``'s filters)."""
    return await repository.page(session, **filters)


async def rule_versions(session: AsyncSession, fund_id: uuid.UUID) -> list[FundRuleVersion]:
    return await repository.rule_versions(session, fund_id)
