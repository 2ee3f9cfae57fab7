"""What the households API accepts and returns."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from stdnum.th import pin

from survey.areas import service as areas
from survey.households.models import Household, HouseholdStatus, Need, Programme

DigitCode = Annotated[str, Field(pattern=r"^\d+$")]


def mask_national_id(national_id: str) -> str:
    """Show only the last four digits: enough to tell records apart, not to misuse."""
    return "X" * 9 + national_id[-4:]


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
    household_size: int = Field(ge=1, le=50)
    monthly_income_satang: int = Field(ge=0)
    need: Need
    estimated_cost_satang: int = Field(ge=0)

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


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decided_by: str = Field(min_length=1, max_length=200, description="Who decided")
    reason: str | None = Field(default=None, max_length=2000)


class ReasonedDecision(Decision):
    reason: str = Field(min_length=1, max_length=2000)


class HouseholdPublic(BaseModel):
    id: uuid.UUID
    programme: Programme
    head_name: str
    national_id_masked: str
    province_code: str
    district_code: str
    subdistrict_code: str
    village: str | None
    household_size: int
    monthly_income_satang: int
    need: Need
    estimated_cost_satang: int
    status: HouseholdStatus
    status_reason: str | None
    fiscal_year: int | None
    approved_at: datetime | None
    approved_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, household: Household) -> "HouseholdPublic":
        data = household.model_dump(exclude={"national_id", "phone"})
        return cls(**data, national_id_masked=mask_national_id(household.national_id))


class HouseholdsPublic(BaseModel):
    items: list[HouseholdPublic]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class TransitionPublic(BaseModel):
    from_status: HouseholdStatus | None
    to_status: HouseholdStatus
    reason: str | None
    decided_by: str
    decided_at: datetime
