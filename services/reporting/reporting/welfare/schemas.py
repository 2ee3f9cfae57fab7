"""What the welfare reports return. Money is integer satang; fiscal years are B.E."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from reporting.geography import AreaLevel
from reporting.reports.schemas import AS_OF


class WelfareFigures(BaseModel):
    funds: int = Field(description="Funds registered (by the fiscal year's end)")
    members: int = Field(
        description="Memberships held (active or lapsed) now, or at the fiscal year's end"
    )
    contributions_satang: int = Field(description="Members' contributions (in the year)")
    agency_match_satang: int = Field(description="The agency's 1:1 matches (in the year)")
    local_match_satang: int = Field(description="Local administrations' matches (in the year)")
    other_income_satang: int = Field(description="Donations, interest (in the year)")
    benefits_paid_satang: int = Field(description="Benefits paid from the funds (in the year)")
    balance_satang: int = Field(
        description="Money in the funds now, or at the fiscal year's end: contributions + "
        "matches + other income - benefits paid, over every year"
    )
    people_helped: int = Field(
        description="Members paid at least one benefit (ever, or in the fiscal year)"
    )
    benefits: int = Field(description="Benefits paid (ever, or in the fiscal year)")


class WelfareDrillDown(BaseModel):
    funds: str = Field(description="The funds counted in ``funds``")
    members: str = Field(description="The memberships counted in ``members``")
    people_helped: str = Field(description="The members counted in ``people_helped``")


class WelfareRow(WelfareFigures):
    area_level: AreaLevel
    area_code: str
    area_name_th: str | None
    area_name_en: str | None
    drill_down: WelfareDrillDown


class WelfareReport(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    fiscal_year: int | None = Field(description="B.E.; null: every year up to now")
    label_th: str
    label_en: str
    level: AreaLevel
    rows: list[WelfareRow] = Field(description="One per area at ``level``, by code")
    total: WelfareRow = Field(description="The whole area asked for")


class WelfareFundPublic(BaseModel):
    """A fund as reporting knows it from welfare's events: its books' totals now."""

    welfare_fund_id: uuid.UUID
    name: str
    kind: str
    province_code: str
    district_code: str
    subdistrict_code: str
    region_code: str | None
    registered_on: date | None
    members: int
    people_helped: int
    benefits: int
    contributions_satang: int
    agency_match_satang: int
    local_match_satang: int
    other_income_satang: int
    benefits_paid_satang: int
    balance_satang: int
    movements: int = Field(description="Movements booked so far (the books' sequence)")


class WelfareFundsPublic(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    count: int = Field(description="Funds matching the filters (the figure drilled into)")
    items: list[WelfareFundPublic]
    next_cursor: str | None


class WelfareMemberPublic(BaseModel):
    """A membership; never a national ID or a name (welfare keeps those)."""

    member_id: uuid.UUID
    welfare_fund_id: uuid.UUID
    province_code: str
    district_code: str
    subdistrict_code: str
    status: str
    joined_on: date
    ended_on: date | None


class WelfareMembersPublic(BaseModel):
    as_of: datetime | None = Field(description=AS_OF)
    count: int = Field(description="Members matching the filters (the figure drilled into)")
    items: list[WelfareMemberPublic]
    next_cursor: str | None
