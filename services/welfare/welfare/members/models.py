"""Members of a fund (สมาชิกกองทุน)."""

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from baan_shared.clock import utcnow
from baan_shared.db import UTCDateTime, enum_type
from baan_shared.ids import new_id
from welfare.members.membership import MemberStatus

_HOLDS = "status IN ('active', 'lapsed')"


class Member(SQLModel, table=True):
    __tablename__ = "welfare_members"
    __table_args__ = (
        # One membership held (active or lapsed) per person and fund; the database
        # keeps it even when two registrations race.
        Index(
            "uq_welfare_members_fund_id_national_id_held",
            "fund_id",
            "national_id",
            unique=True,
            sqlite_where=text(_HOLDS),
            postgresql_where=text(_HOLDS),
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    fund_id: uuid.UUID = Field(foreign_key="welfare_funds.id", index=True)
    national_id: str = Field(max_length=13, index=True)
    name: str = Field(max_length=200)
    joined_on: date
    status: MemberStatus = Field(sa_type=enum_type(MemberStatus))
    ended_on: date | None = Field(default=None, description="left or deceased: the last day")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
