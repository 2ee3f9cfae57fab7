"""The grant policy in force: how much a household is granted and in which tranches.

Built once from settings and handed to the handlers, so tests and services
read the same rules and nothing reaches for global settings.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from finance.grants.tranches import DEFAULT_SCHEDULE, TrancheRule, check_schedule
from finance.settings import FinanceSettings


@dataclass(frozen=True)
class GrantPolicy:
    fixed_amounts_satang: Mapping[str, int] = field(default_factory=dict)
    schedule: Sequence[TrancheRule] = DEFAULT_SCHEDULE
    # Programmes paid on their own schedule rather than ``schedule``.
    schedules: Mapping[str, Sequence[TrancheRule]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_schedule(self.schedule)
        for schedule in self.schedules.values():
            check_schedule(schedule)

    @classmethod
    def from_settings(cls, settings: FinanceSettings) -> "GrantPolicy":
        return cls(
            fixed_amounts_satang=dict(settings.grant_amounts_satang),
            schedule=tuple(settings.grant_tranches),
            schedules={
                programme.value: tuple(rules)
                for programme, rules in settings.grant_tranches_by_programme.items()
            },
        )

    def schedule_for(self, programme: str) -> Sequence[TrancheRule]:
        """The tranches a programme's grants are paid in."""
        return self.schedules.get(programme, self.schedule)

    def amount_for(self, programme: str, estimated_cost_satang: int | None) -> int | None:
        """The programme's fixed grant if it has one, else the household's estimated cost.

        ``None`` when neither is known (or the estimate is not positive): no grant
        can be opened from what we have been told yet.
        """
        fixed = self.fixed_amounts_satang.get(programme)
        if fixed is not None:
            return fixed
        if estimated_cost_satang is None or estimated_cost_satang <= 0:
            return None
        return estimated_cost_satang
