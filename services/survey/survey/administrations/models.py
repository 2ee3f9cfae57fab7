"""A local administration, held as reference data in survey's own database.

Provinces, districts and sub-districts come from the ``geothai`` data package in
memory; no maintained package carries the local administrations and their
official codes, so the national office loads them through the API
(``PUT /v1/local-administrations``) from the Department of Local Administration's list.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type


class AdministrationKind(StrEnum):
    PROVINCIAL = "provincial"  # องค์การบริหารส่วนจังหวัด (อบจ.)
    CITY_MUNICIPALITY = "city_municipality"  # เทศบาลนคร
    TOWN_MUNICIPALITY = "town_municipality"  # เทศบาลเมือง
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality"  # เทศบาลตำบล
    SUBDISTRICT_ADMINISTRATION = "subdistrict_administration"  # องค์การบริหารส่วนตำบล (อบต.)
    SPECIAL = "special"  # กรุงเทพมหานคร, เมืองพัทยา


class LocalAdministration(SQLModel, table=True):
    __tablename__ = "local_administrations"

    code: str = Field(primary_key=True, max_length=7, description="Official 7-digit code")
    name_th: str = Field(max_length=200)
    kind: AdministrationKind = Field(sa_type=enum_type(AdministrationKind))
    province_code: str = Field(max_length=2, index=True)
    # The seat's district; none for a provincial administration, which serves them all.
    district_code: str | None = Field(default=None, max_length=4)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
