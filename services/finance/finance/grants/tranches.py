"""The tranche schedule (งวดการจ่ายเงิน): how a grant is paid as the house gets built.

Plain rules, no database. A schedule is an ordered list of tranches, each paid
when construction reports a stage (construction started, a named milestone,
completed). Reaching a later stage makes every earlier tranche due too, since
a completed house has certainly been started, so a ``house.completed`` that
overtakes ``house.construction_started`` still pays both, in order. Every
tranche but the last pays its share rounded down; the last pays whatever is
left, so the tranches always add up to the grant to the satang.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CONSTRUCTION_STARTED = "house.construction_started"
MILESTONE_REACHED = "house.milestone_reached"
COMPLETED = "house.completed"

Trigger = Literal["house.construction_started", "house.milestone_reached", "house.completed"]


def stage_key(event_type: str, milestone: str | None = None) -> str:
    """How a stage of the house is named: the event type, plus the milestone for milestones.

    Milestones are free text typed on site, so they match case- and space-insensitively.
    """
    if event_type == MILESTONE_REACHED and milestone:
        return f"{event_type}:{' '.join(milestone.split()).casefold()}"
    return event_type


class ScheduleError(ValueError):
    """A tranche schedule that cannot pay a grant exactly."""


class TrancheRule(BaseModel):
    """One tranche: its share of the grant and the stage of the house that makes it due."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: int = Field(gt=0, le=100, description="Share of the grant, in whole percent")
    trigger: Trigger = Field(description="The house event that makes this tranche due")
    milestone: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="For house.milestone_reached: which milestone",
    )

    @model_validator(mode="after")
    def _milestone_only_for_milestones(self) -> "TrancheRule":
        if (self.trigger == MILESTONE_REACHED) != (self.milestone is not None):
            raise ValueError("a milestone is named exactly when the trigger is a milestone")
        return self

    @property
    def stage(self) -> str:
        return stage_key(self.trigger, self.milestone)


DEFAULT_SCHEDULE: tuple[TrancheRule, ...] = (
    TrancheRule(percent=40, trigger=CONSTRUCTION_STARTED),
    TrancheRule(percent=60, trigger=COMPLETED),
)


def check_schedule(schedule: Sequence[TrancheRule]) -> None:
    if not schedule:
        raise ScheduleError("a schedule needs at least one tranche")
    total = sum(rule.percent for rule in schedule)
    if total != 100:
        raise ScheduleError(f"tranche percentages add up to {total}, not 100")
    stages = [rule.stage for rule in schedule]
    if len(set(stages)) != len(stages):
        raise ScheduleError("two tranches are due at the same stage")


@dataclass(frozen=True)
class TranchePayment:
    """A tranche to pay now."""

    tranche: int  # 1-based, in schedule order
    amount_satang: int
    stage: str


def payments_due(
    amount_satang: int,
    schedule: Sequence[TrancheRule],
    reached: Collection[str],
    paid: Mapping[int, int],
) -> list[TranchePayment]:
    """The tranches to pay now, in order, given the stages reached and what was paid.

    ``reached`` holds stage keys (``stage_key``); ``paid`` maps tranche number to
    the satang already paid for it. A tranche that comes to nothing (a grant of a
    few satang) is skipped; the last tranche picks up the remainder.
    """
    last_due = max(
        (number for number, rule in enumerate(schedule, 1) if rule.stage in reached), default=0
    )
    paid_total = sum(paid.values())
    payments: list[TranchePayment] = []
    for number, rule in enumerate(schedule[:last_due], 1):
        if number in paid:
            continue
        left = amount_satang - paid_total
        share = left if number == len(schedule) else amount_satang * rule.percent // 100
        due = min(share, left)
        if due <= 0:
            continue
        payments.append(TranchePayment(tranche=number, amount_satang=due, stage=rule.stage))
        paid_total += due
    return payments


def planned_amounts(amount_satang: int, schedule: Sequence[TrancheRule]) -> list[int]:
    """What each tranche of a fresh grant will pay, for display and for tests."""
    everything = {rule.stage for rule in schedule}
    by_tranche = {
        p.tranche: p.amount_satang for p in payments_due(amount_satang, schedule, everything, {})
    }
    return [by_tranche.get(number, 0) for number in range(1, len(schedule) + 1)]
