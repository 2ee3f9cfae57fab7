"""Welfare's events as welfare publishes them, for reporting's tests: a fund's books
(totals after each movement), its members' joins and status changes, benefits paid."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from baan_shared.events import CloudEvent
from baan_shared.events.catalog import (
    EventData,
    WelfareBenefitPaid,
    WelfareFundBalanceChanged,
    WelfareFundRegistered,
    WelfareMemberJoined,
    WelfareMemberStatusChanged,
)
from baan_testkit.events import cloud_event


def cloud(data: EventData) -> CloudEvent:
    return cloud_event(data)


KINDS = {
    "contribution": "contributions_satang",
    "agency_match": "agency_match_satang",
    "local_match": "local_match_satang",
    "other_income": "other_income_satang",
    "benefit": "benefits_paid_satang",
}


@dataclass
class Fund:
    """A fund's events as welfare publishes them: totals after each movement."""

    subdistrict: str
    registered_on: date = date(2010, 1, 5)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    sequence: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS.values(), 0))

    def area(self) -> dict[str, Any]:
        code = self.subdistrict
        return {
            "welfare_fund_id": self.id,
            "province_code": code[:2],
            "district_code": code[:4],
            "subdistrict_code": code,
            "region_code": None,
        }

    def books(self) -> dict[str, Any]:
        t = self.totals
        balance = sum(v for k, v in t.items() if k != "benefits_paid_satang")
        return {
            **self.area(),
            "kind": "tambon",
            "name": f"กองทุนสวัสดิการชุมชน {self.subdistrict}",
            "sequence": self.sequence,
            **t,
            "balance_satang": balance - t["benefits_paid_satang"],
        }

    def registered(self) -> CloudEvent:
        return cloud(WelfareFundRegistered(**self.books(), registered_on=self.registered_on))

    def movement(self, kind: str, amount: int, on: date) -> CloudEvent:
        self.sequence += 1
        self.totals[KINDS[kind]] += amount
        return cloud(
            WelfareFundBalanceChanged(
                **self.books(),
                movement_id=uuid.uuid4(),
                movement_kind=kind,
                amount_satang=amount,
                change_satang=-amount if kind == "benefit" else amount,
                occurred_on=on,
                reference=f"{kind}-{self.sequence}",
            )
        )

    def join(self, joined_on: date) -> tuple[uuid.UUID, CloudEvent]:
        member = uuid.uuid4()
        return member, cloud(
            WelfareMemberJoined(
                **self.area(), member_id=member, status="active", joined_on=joined_on
            )
        )

    def status(
        self, member: uuid.UUID, joined_on: date, was: str, now: str, ended_on: date | None
    ) -> CloudEvent:
        return cloud(
            WelfareMemberStatusChanged(
                **self.area(),
                member_id=member,
                status=now,
                previous_status=was,
                joined_on=joined_on,
                ended_on=ended_on,
            )
        )

    def benefit(self, member: uuid.UUID, amount: int, paid_on: date) -> list[CloudEvent]:
        return [
            self.movement("benefit", amount, paid_on),
            cloud(
                WelfareBenefitPaid(
                    **self.area(),
                    claim_id=uuid.uuid4(),
                    member_id=member,
                    benefit_kind="hospital",
                    event_date=paid_on,
                    amount_satang=amount,
                    paid_on=paid_on,
                )
            ),
        ]
