"""Correcting a surveyed household (แก้ไขข้อมูล) and its members, with the history of each change.

Before a decision, anything may be corrected; once the committee has decided,
only contact details and notes, since consumers already act on the rest. A
correction to what eligibility or duplicate detection reads runs them again.
Nothing here commits: the request's unit of work does.
"""

import uuid
from enum import Enum
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, does_not_exist, mask_national_id, mask_phone
from baan_shared.clock import utcnow
from baan_shared.errors import Conflict, Unprocessable, field_error, field_errors_of
from survey.households import repository, service
from survey.households.duplicates import duplicate_key
from survey.households.models import (
    Household,
    HouseholdEdit,
    HouseholdMember,
    HouseholdStatus,
)
from survey.households.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    MemberAdd,
    MemberUpdate,
)

BEFORE_DECISION = frozenset({HouseholdStatus.SURVEYED, HouseholdStatus.SCREENED})
# Fields that do not change what the committee decided on.
CONTACT_FIELDS = frozenset({"phone", "notes"})
EDITABLE = tuple(f for f in HouseholdCreate.model_fields if f != "members")
ELIGIBILITY_FIELDS = frozenset(
    {"programme", "monthly_income_satang", "house_condition", "land_tenure", "national_id"}
)
DUPLICATE_FIELDS = frozenset({"head_name", "village", "subdistrict_code", "national_id"})
PLACE_FIELDS = frozenset({"subdistrict_code", "survey_round_id", "community_id"})


def _shown(field: str, value: Any) -> str | None:
    """A value as the history shows it; national IDs masked."""
    if value is None:
        return None
    if field == "national_id":
        return mask_national_id(str(value))
    if field == "phone":
        # The history is read without pii:read too: it never holds a whole phone number.
        return mask_phone(str(value))
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


async def edit(
    session: AsyncSession, household_id: uuid.UUID, patch: HouseholdUpdate, principal: Principal
) -> Household:
    """Apply the correction; a round or community it names must lie in ``principal``'s areas."""
    household = await service.get(session, household_id, for_update=True)
    current = {field: getattr(household, field) for field in EDITABLE}
    requested = patch.changes()
    try:
        corrected = HouseholdCreate.model_validate(
            {k: v for k, v in current.items() if v is not None} | requested
        )
    except ValidationError as error:
        raise Unprocessable(
            "the corrected household is not valid",
            errors=field_errors_of(error.errors(), prefix="body"),
        ) from None
    proposed = corrected.model_dump(include=set(requested))
    changed = {f: v for f, v in proposed.items() if v != current[f]}
    if not changed:
        return household
    if household.status not in BEFORE_DECISION:
        locked = sorted(set(changed) - CONTACT_FIELDS)
        if locked:
            raise Conflict(
                f"the household is {household.status}: after the committee's decision only "
                f"{' and '.join(sorted(CONTACT_FIELDS))} can change, not {', '.join(locked)}",
                locked_fields=locked,
                current_status=str(household.status),
            )
    if PLACE_FIELDS & changed.keys():
        checked = await service.check_round(session, corrected, principal)
        if checked.community_id != household.community_id:
            changed["community_id"] = checked.community_id
    if "household_size" in changed:
        members = len(await repository.members(session, household.id))
        if changed["household_size"] < members:
            reason = f"the household has {members} members listed; remove some first"
            raise Unprocessable(reason, errors=[field_error("body.household_size", reason)])
    now = utcnow()
    for field, value in changed.items():
        session.add(
            HouseholdEdit(
                household_id=household.id,
                field=field,
                old_value=_shown(field, current[field]),
                new_value=_shown(field, value),
                reason=patch.reason,
                edited_by=patch.edited_by,
                edited_at=now,
            )
        )
        setattr(household, field, value)
    household.updated_at = now
    if DUPLICATE_FIELDS & changed.keys():
        household.duplicate_key = duplicate_key(
            household.head_name, household.subdistrict_code, household.village
        )
        household.possible_duplicate = False
        await service.flag_duplicates(session, household)
    if ELIGIBILITY_FIELDS & changed.keys() and household.eligible is not None:
        service.record_assessment(household, await service.assess(session, household))
    session.add(household)
    await session.flush()
    return household


async def _editable_members_of(session: AsyncSession, household_id: uuid.UUID) -> Household:
    household = await service.get(session, household_id, for_update=True)
    if household.status not in BEFORE_DECISION:
        raise Conflict(
            f"the household is {household.status}: its members cannot change after the "
            "committee's decision",
            current_status=str(household.status),
        )
    return household


def _described(member: HouseholdMember) -> str:
    extras = [
        w
        for w, on in (
            ("disability", member.disability),
            ("chronic illness", member.chronic_illness),
        )
        if on
    ]
    return ", ".join([f"age {member.age}", str(member.sex.value), *extras])


async def add_member(
    session: AsyncSession, household_id: uuid.UUID, data: MemberAdd
) -> HouseholdMember:
    household = await _editable_members_of(session, household_id)
    members = await repository.members(session, household.id)
    if len(members) >= household.household_size:
        raise Conflict(
            f"household_size is {household.household_size} and {len(members)} members are "
            "listed; correct household_size first"
        )
    member = HouseholdMember(
        household_id=household.id,
        position=max((m.position for m in members), default=0) + 1,
        **data.model_dump(exclude={"edited_by", "reason"}),
    )
    session.add(member)
    session.add(
        HouseholdEdit(
            household_id=household.id,
            field=f"members.{member.position}",
            new_value=_described(member),
            reason=data.reason,
            edited_by=data.edited_by,
        )
    )
    household.updated_at = utcnow()
    session.add(household)
    await session.flush()
    return member


async def _member(
    session: AsyncSession, household: Household, member_id: uuid.UUID
) -> HouseholdMember:
    member = await repository.member(session, household.id, member_id)
    if member is None:
        # The same answer whether the member belongs to another household or to none.
        raise does_not_exist(f"member {member_id} of household {household.id}")
    return member


async def update_member(
    session: AsyncSession, household_id: uuid.UUID, member_id: uuid.UUID, data: MemberUpdate
) -> HouseholdMember:
    household = await _editable_members_of(session, household_id)
    member = await _member(session, household, member_id)
    now = utcnow()
    for field, value in data.model_dump(
        exclude_unset=True, exclude={"edited_by", "reason"}
    ).items():
        if value is None:
            reason = "cannot be cleared; give a value"
            raise Unprocessable(reason, errors=[field_error(f"body.{field}", reason)])
        old = getattr(member, field)
        if old == value:
            continue
        session.add(
            HouseholdEdit(
                household_id=household.id,
                field=f"members.{member.position}.{field}",
                old_value=_shown(field, old),
                new_value=_shown(field, value),
                reason=data.reason,
                edited_by=data.edited_by,
                edited_at=now,
            )
        )
        setattr(member, field, value)
    household.updated_at = now
    session.add_all([member, household])
    await session.flush()
    return member


async def remove_member(
    session: AsyncSession,
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    edited_by: str,
    reason: str | None,
) -> None:
    household = await _editable_members_of(session, household_id)
    member = await _member(session, household, member_id)
    session.add(
        HouseholdEdit(
            household_id=household.id,
            field=f"members.{member.position}",
            old_value=_described(member),
            reason=reason,
            edited_by=edited_by,
        )
    )
    household.updated_at = utcnow()
    session.add(household)
    await session.delete(member)
    await session.flush()
