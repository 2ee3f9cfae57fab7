"""What the communities API accepts and returns."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from survey.areas import service as areas
from survey.communities.models import CommunityKind


class CommunityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: CommunityKind
    village_no: int | None = Field(default=None, ge=1, le=99, description="หมู่ที่, for villages")
    subdistrict_code: areas.KnownSubdistrictCode = Field(description="The sub-district it lies in")


class CommunityPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: CommunityKind
    village_no: int | None
    province_code: str
    district_code: str
    subdistrict_code: str
    created_at: datetime


class CommunitiesPublic(BaseModel):
    items: list[CommunityPublic]
    next_cursor: str | None
