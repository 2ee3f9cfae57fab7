"""``planned_line``: one line of an adopted tambon plan, as ``tambon_plan.adopted`` carried it.

A superseded plan's lines stay (``superseded``) but no longer count.
"""

import uuid

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel


class PlannedLine(SQLModel, table=True):
    __tablename__ = "planned_line"
    __table_args__ = (Index("ix_planned_line_report", "fiscal_year", "programme", "province_code"),)

    plan_id: uuid.UUID = Field(primary_key=True)
    programme: str = Field(primary_key=True, max_length=32)
    fiscal_year: int = Field(primary_key=True, description="B.E.")
    need: str = Field(primary_key=True, max_length=32)
    region_code: str | None = Field(default=None, max_length=3)
    province_code: str = Field(max_length=2)
    district_code: str = Field(max_length=4)
    subdistrict_code: str = Field(max_length=6)
    households: int
    budget_satang: int = Field(sa_type=BigInteger)
    communities: int
    superseded: bool = False
