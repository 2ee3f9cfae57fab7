"""What the households API accepts and returns."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from stdnum.th import pin

from baan_shared.auth import Principal, mask_national_id, mask_phone
from baan_shared.clock import thai_today
from baan_shared.http.bounds import Count, Satang
from baan_shared.reference import Programme
from survey.areas import service as areas
from survey.households import eligibility
from survey.households.models import (
    HouseCondition,
    Household,
    HouseholdEdit,
    HouseholdMember,
    HouseholdStatus,
    HouseholdTransition,
    LandTenure,
    Need,
    Sex,
)

DigitCode = Annotated[str, Field(pattern=r"^\d+$")]


# Persons in one household (and members listed): a bigger number is a typo.
MAX_HOUSEHOLD_SIZE = 50

# Thailand's bounding box: a GPS point outside it is a typo (swapped or mis-signed).
LATITUDE_RANGE = (5.5, 20.5)
LONGITUDE_RANGE = (97.3, 105.7)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age: int = Field(ge=0, le=130)
    sex: Sex
    disability: bool = False
    chronic_illness: bool = False


class MemberPublic(MemberIn):
    id: uuid.UUID
    position: int = Field(description="Its number in the household; kept when others leave")


class MemberAdd(MemberIn):
    edited_by: str = Field(min_length=1, max_length=200, description="Who corrected the survey")
    reason: str | None = Field(default=None, max_length=2000)


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    edited_by: str = Field(min_length=1, max_length=200, description="Who corrected the survey")
    reason: str | None = Field(default=None, max_length=2000)
    age: int | None = Field(default=None, ge=0, le=130)
    sex: Sex | None = None
    disability: bool | None = None
    chronic_illness: bool | None = None


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    programme: Programme
    head_name: str = Field(min_length=1, max_length=200, description="Head of household")
    national_id: str = Field(description="Thai national ID, 13 digits with check digit")
    phone: str | None = Field(default=None, max_length=20)
    province_code: DigitCode = Field(min_length=2, max_length=2)
    district_code: DigitCode = Field(min_length=4, max_length=4)
    subdistrict_code: DigitCode = Field(min_length=6, max_length=6)
    village: str | None = Field(default=None, max_length=200)
    survey_round_id: uuid.UUID | None = Field(
        default=None, description="The survey round that registered it; same sub-district"
    )
    community_id: uuid.UUID | None = Field(
        default=None,
        description="Its community (ชุมชน), same sub-district; defaults to the round's community",
    )
    household_size: int = Field(ge=1, le=MAX_HOUSEHOLD_SIZE)
    monthly_income_satang: Satang
    need: Need
    estimated_cost_satang: Satang
    members: list[MemberIn] = Field(default_factory=list, max_length=MAX_HOUSEHOLD_SIZE)
    house_condition: HouseCondition | None = None
    land_tenure: LandTenure | None = None
    land_parcel_ref: str | None = Field(
        default=None, max_length=100, description="Title deed or parcel number"
    )
    land_area_sq_wah: Count | None = Field(default=None, description="Square wah (ตารางวา)")
    latitude: float | None = Field(default=None, ge=LATITUDE_RANGE[0], le=LATITUDE_RANGE[1])
    longitude: float | None = Field(
        default=None, ge=LONGITUDE_RANGE[0], le=LONGITUDE_RANGE[1], validate_default=True
    )
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("members")
    @classmethod
    def _members_fit_household(cls, value: list[MemberIn], info: ValidationInfo) -> list[MemberIn]:
        size = info.data.get("household_size")
        if size is not None and len(value) > size:
            raise ValueError(f"{len(value)} members listed but household_size is {size}")
        return value

    @field_validator("longitude")
    @classmethod
    def _point_is_whole(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" not in info.data:
            return value  # latitude itself is invalid and already reported
        if (value is None) != (info.data["latitude"] is None):
            raise ValueError("give latitude and longitude together, or neither")
        return value

    @field_validator("national_id")
    @classmethod
    def _valid_national_id(cls, value: str) -> str:
        compact = value.replace("-", "").replace(" ", "")
        if not pin.is_valid(compact):
            raise ValueError("not a valid Thai national ID (13 digits, last one a check digit)")
        return compact

    @field_validator("province_code", "district_code", "subdistrict_code")
    @classmethod
    def _known_area(cls, value: str, info: ValidationInfo) -> str:
        # Official DOPA codes, each inside its parent (geothai's tables).
        if info.field_name == "province_code":
            reason = areas.province_error(value)
        elif info.field_name == "district_code":
            reason = areas.district_error(value, info.data.get("province_code"))
        else:
            reason = areas.subdistrict_error(value, info.data.get("district_code"))
        if reason is not None:
            raise ValueError(reason)
        return value


def _not_in_the_future(value: date | None) -> date | None:
    # Thai calendar: the meeting was held in Thailand, whose date runs ahead of UTC.
    if value is not None and value > thai_today():
        raise ValueError(f"the committee cannot have met after today ({thai_today()})")
    return value


MeetingDate = Annotated[
    date | None,
    Field(
        default=None,
        description="The committee meeting's date (Thai calendar); today when omitted. "
        "It sets the decision's date and fiscal year; never in the future.",
    ),
    AfterValidator(_not_in_the_future),
]


class HouseholdUpdate(BaseModel):
    """A correction: only the fields given change. Checked as a whole household would be.

    Before a decision (surveyed, screened) any field may be corrected; after one,
    only ``phone`` and ``notes``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    edited_by: str = Field(min_length=1, max_length=200, description="Who corrected the survey")
    reason: str | None = Field(default=None, max_length=2000, description="Why, for the history")
    programme: Programme | None = None
    head_name: str | None = None
    national_id: str | None = None
    phone: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    village: str | None = None
    survey_round_id: uuid.UUID | None = None
    community_id: uuid.UUID | None = None
    household_size: int | None = Field(default=None, ge=1, le=MAX_HOUSEHOLD_SIZE)
    monthly_income_satang: Satang | None = None
    need: Need | None = None
    estimated_cost_satang: Satang | None = None
    house_condition: HouseCondition | None = None
    land_tenure: LandTenure | None = None
    land_parcel_ref: str | None = None
    land_area_sq_wah: Count | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str | None = None

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True, exclude={"edited_by", "reason"})


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decided_by: str = Field(min_length=1, max_length=200, description="Who decided")
    reason: str | None = Field(default=None, max_length=2000)
    decided_on: MeetingDate = None


class DuplicateReview(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reviewed_by: str = Field(min_length=1, max_length=200)
    note: str = Field(min_length=1, max_length=2000, description="Why these are different")


class ApprovalDecision(Decision):
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="Required to approve a household that fails its programme's rules",
    )


class ReasonedDecision(Decision):
    reason: str = Field(min_length=1, max_length=2000)


class DecisionKind(StrEnum):
    SCREEN = "screen"
    APPROVE = "approve"
    REJECT = "reject"
    WAITLIST = "waitlist"


DECISION_TARGETS = {
    DecisionKind.SCREEN: HouseholdStatus.SCREENED,
    DecisionKind.APPROVE: HouseholdStatus.APPROVED,
    DecisionKind.REJECT: HouseholdStatus.REJECTED,
    DecisionKind.WAITLIST: HouseholdStatus.WAITLISTED,
}


class MinutedDecision(BaseModel):
    """One line of a committee meeting's minutes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    household_id: uuid.UUID
    decision: DecisionKind
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        validate_default=True,
        description="Required to reject or waitlist",
    )
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        validate_default=True,
        description="Required to approve a household that fails its programme's rules",
    )

    @field_validator("reason")
    @classmethod
    def _reason_where_needed(cls, value: str | None, info: ValidationInfo) -> str | None:
        decision = info.data.get("decision")
        if not value and decision in (DecisionKind.REJECT, DecisionKind.WAITLIST):
            raise ValueError(f"a reason is required to {decision}")
        return value

    @field_validator("override_reason")
    @classmethod
    def _override_only_approves(cls, value: str | None, info: ValidationInfo) -> str | None:
        decision = info.data.get("decision")
        if value and decision is not None and decision != DecisionKind.APPROVE:
            raise ValueError("override_reason applies only to approve")
        return value


MAX_DECISIONS_PER_MEETING = 1_000


class CommitteeMinutes(BaseModel):
    """A committee meeting's decisions (มติคณะกรรมการ), applied all together or not at all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decided_by: str = Field(min_length=1, max_length=200, description="The committee")
    decided_on: MeetingDate = None
    decisions: list[MinutedDecision] = Field(min_length=1, max_length=MAX_DECISIONS_PER_MEETING)


class DecisionOutcome(BaseModel):
    household_id: uuid.UUID
    status: HouseholdStatus
    fiscal_year: int | None


class DecisionsApplied(BaseModel):
    decided_by: str
    decided_at: datetime = Field(description="The meeting's moment every decision carries")
    applied: int
    items: list[DecisionOutcome] = Field(description="Each household's status after the meeting")


class EligibilityCheck(BaseModel):
    rule: str = Field(
        description="income_limit, house_condition, land_tenure, not_already_assisted"
    )
    outcome: str = Field(description="pass, fail or unknown (not surveyed)")
    reason: str


class HouseholdPublic(BaseModel):
    id: uuid.UUID
    programme: Programme
    head_name: str
    national_id_masked: str = Field(description="Always masked, whoever asks")
    national_id: str = Field(description="Masked unless the client holds pii:read")
    phone: str | None = Field(description="Masked unless the client holds pii:read")
    province_code: str
    district_code: str
    subdistrict_code: str
    village: str | None
    survey_round_id: uuid.UUID | None
    community_id: uuid.UUID | None
    household_size: int
    monthly_income_satang: int
    need: Need
    estimated_cost_satang: int
    house_condition: HouseCondition | None
    land_tenure: LandTenure | None
    land_parcel_ref: str | None
    land_area_sq_wah: int | None
    latitude: float | None
    longitude: float | None
    notes: str | None
    possible_duplicate: bool = Field(
        description="Same head name and address as another household under another ID"
    )
    eligible: bool | None = Field(description="As judged at the last screening; null before it")
    eligibility_checks: list[EligibilityCheck] | None
    eligibility_override: str | None
    status: HouseholdStatus
    status_reason: str | None
    fiscal_year: int | None
    approved_at: datetime | None
    approved_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, household: Household, *, viewer: Principal | None, reveal: bool = False
    ) -> "HouseholdPublic":
        """The household as ``viewer`` may read it (None: the service itself).

        ``reveal`` only once ``reveals_personal_data`` allowed and audited it. The
        eligibility checks name another approved case only to a caller whose areas
        hold it (``eligibility.shown``).
        """
        return cls(**_public_fields(household, viewer, reveal))


def _public_fields(household: Household, viewer: Principal | None, reveal: bool) -> dict[str, Any]:
    data = household.model_dump(exclude={"national_id", "phone", "eligibility_checks"})
    data["eligibility_checks"] = eligibility.shown_all(household.eligibility_checks, viewer)
    masked = mask_national_id(household.national_id)
    phone = household.phone
    data["national_id_masked"] = masked
    data["national_id"] = household.national_id if reveal else masked
    data["phone"] = phone if reveal or phone is None else mask_phone(phone)
    return data


class HouseholdDetail(HouseholdPublic):
    members: list[MemberPublic]

    @classmethod
    def with_members(
        cls,
        household: Household,
        members: list[HouseholdMember],
        *,
        viewer: Principal | None,
        reveal: bool = False,
    ) -> "HouseholdDetail":
        # Built once from the household's fields (not a HouseholdPublic dumped again).
        return cls(
            **_public_fields(household, viewer, reveal),
            members=[MemberPublic.model_validate(m, from_attributes=True) for m in members],
        )


class ProgrammeEligibility(BaseModel):
    programme: Programme
    eligible: bool
    checks: list[EligibilityCheck]


class HouseholdsPublic(BaseModel):
    items: list[HouseholdPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class HistoryEntry(BaseModel):
    """One line of a household's history: a screening decision, or a corrected field."""

    kind: Literal["decision", "edit"]
    reason: str | None
    # decision
    from_status: HouseholdStatus | None = None
    to_status: HouseholdStatus | None = None
    decided_by: str | None = None
    decided_at: datetime | None = Field(
        default=None, description="When decided (a past committee meeting's noon)"
    )
    recorded_at: datetime | None = Field(default=None, description="When it was entered")
    # edit
    field: str | None = Field(default=None, description="e.g. monthly_income_satang, members.2.age")
    old_value: str | None = Field(default=None, description="National IDs masked")
    new_value: str | None = None
    edited_by: str | None = None
    edited_at: datetime | None = None

    @classmethod
    def of_transition(cls, t: HouseholdTransition) -> "HistoryEntry":
        return cls(
            kind="decision",
            reason=t.reason,
            from_status=t.from_status,
            to_status=t.to_status,
            decided_by=t.decided_by,
            decided_at=t.decided_at,
            recorded_at=t.recorded_at,
        )

    @classmethod
    def of_edit(cls, e: HouseholdEdit) -> "HistoryEntry":
        return cls(
            kind="edit",
            reason=e.reason,
            field=e.field,
            old_value=e.old_value,
            new_value=e.new_value,
            edited_by=e.edited_by,
            edited_at=e.edited_at,
        )


class RankedHousehold(BaseModel):
    rank: int
    score: float = Field(description="Weighted mean of the factors, 0 (least need) to 1")
    income_factor: float
    condition_factor: float
    vulnerable_factor: float
    vulnerable_members: int
    household: HouseholdPublic


class Ranking(BaseModel):
    weights: dict[str, float] | None = Field(
        description="The weights used, when one set served every household ranked"
    )
    weights_by_programme: dict[str, dict[str, float]] = Field(
        description="Each programme's weights: a household is weighed by its programme's"
    )
    items: list[RankedHousehold]
