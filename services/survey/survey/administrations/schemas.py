"""What /v1/local-administrations accepts and returns."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from survey.administrations.models import AdministrationKind


class LocalAdministrationSet(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^\d{7}$", description="Official 7-digit code (รหัส อปท.)")
    name_th: str = Field(min_length=1, max_length=200, examples=["องค์การบริหารส่วนตำบลสันทราย"])
    kind: AdministrationKind
    province_code: str = Field(pattern=r"^\d{2}$")
    district_code: str | None = Field(
        default=None, pattern=r"^\d{4}$", description="The seat's district; none for an อบจ."
    )


class LocalAdministrationsSet(BaseModel):
    """Administrations to load; each replaces the one with the same code. All or nothing."""

    items: list[LocalAdministrationSet] = Field(min_length=1, max_length=10_000)


class LocalAdministrationPublic(LocalAdministrationSet):
    updated_at: datetime


class LocalAdministrationsPublic(BaseModel):
    items: list[LocalAdministrationPublic]
    next_cursor: str | None = None
