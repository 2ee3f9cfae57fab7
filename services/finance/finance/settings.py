"""Finance's settings: environment variables prefixed ``FINANCE_``.

Lists and mappings are read as JSON, e.g.
``FINANCE_GRANT_AMOUNTS_SATANG='{"CANAL": 14700000}'`` or
``FINANCE_GRANT_TRANCHES='[{"percent": 40, "trigger": "house.construction_started"},
{"percent": 60, "trigger": "house.completed"}]'``.
"""

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from baan_shared.reference import Programme
from baan_shared.settings import ServiceSettings
from finance.grants.tranches import DEFAULT_SCHEDULE, TrancheRule, check_schedule


class FinanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINANCE_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./.data/finance.db"
    # A programme listed here pays every household the same grant; any other
    # programme grants the household's estimated cost. Canal: 147,000 THB (seed 002).
    grant_amounts_satang: dict[Programme, int] = Field(
        default_factory=lambda: {Programme.CANAL: 14_700_000}
    )
    # The tranches every grant is paid in, in order; the last pays what is left.
    grant_tranches: list[TrancheRule] = Field(default_factory=lambda: list(DEFAULT_SCHEDULE))
    # A programme's own tranches, instead of grant_tranches, e.g. canal houses paid
    # 40% at construction start, 40% at the "structure" milestone, 20% at completion:
    # '{"CANAL": [{"percent": 40, "trigger": "house.construction_started"},
    #   {"percent": 40, "trigger": "house.milestone_reached", "milestone": "structure"},
    #   {"percent": 20, "trigger": "house.completed"}]}'
    grant_tranches_by_programme: dict[Programme, list[TrancheRule]] = Field(default_factory=dict)
    # The most a household may borrow in a programme, all its loans together.
    # Canal: 360,000 THB (seed 002). Programmes not listed are not capped.
    loan_caps_satang: dict[Programme, int] = Field(
        default_factory=lambda: {Programme.CANAL: 36_000_000}
    )
    # Rural programmes whose loans repay into the sub-district's revolving fund.
    revolving_fund_programmes: list[Programme] = Field(
        default_factory=lambda: [Programme.BAAN_PHO_PHIANG, Programme.LAND_REFORM]
    )

    # A write's Idempotency-Key answers retries with the first answer for this long.
    idempotency_ttl_seconds: float = Field(default=24 * 3600.0, ge=0)
    # A key claimed by a request that never answered (its process died) is freed after this.
    idempotency_stale_after_seconds: float = Field(default=120.0, gt=0)

    @field_validator("grant_amounts_satang")
    @classmethod
    def _positive_amounts(cls, value: dict[Programme, int]) -> dict[Programme, int]:
        bad = sorted(programme for programme, amount in value.items() if amount <= 0)
        if bad:
            raise ValueError(f"grant amounts must be positive satang: {', '.join(bad)}")
        return value

    @field_validator("grant_tranches")
    @classmethod
    def _valid_schedule(cls, value: list[TrancheRule]) -> list[TrancheRule]:
        check_schedule(value)
        return value

    @field_validator("grant_tranches_by_programme")
    @classmethod
    def _valid_schedules(
        cls, value: dict[Programme, list[TrancheRule]]
    ) -> dict[Programme, list[TrancheRule]]:
        for programme, schedule in value.items():
            try:
                check_schedule(schedule)
            except ValueError as exc:
                raise ValueError(f"{programme}: {exc}") from exc
        return value
