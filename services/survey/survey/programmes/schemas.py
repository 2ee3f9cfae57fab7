"""What the programmes API accepts and returns."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from baan_shared.http.bounds import Satang
from baan_shared.reference import Programme
from survey.households.models import HouseCondition, LandTenure
from survey.programmes.models import ProgrammeRules, ProgrammeUnit


class ProgrammeUpdate(BaseModel):
    """The whole rule set of one programme (PUT replaces it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_th: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    unit: ProgrammeUnit
    income_limit_satang: Satang | None = Field(
        default=None, description="Highest monthly household income, satang; null: no limit"
    )
    allowed_house_conditions: list[HouseCondition] = Field(
        default_factory=list, description="Empty: any condition qualifies"
    )
    allowed_tenures: list[LandTenure] = Field(
        default_factory=list, description="Empty: any land tenure qualifies"
    )
    updated_by: str = Field(min_length=1, max_length=200, description="The admin making the change")

    @field_validator("allowed_house_conditions", "allowed_tenures")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists each value once")
        return value


WeightValue = Annotated[float, Field(ge=0, le=100)]


class RankingWeights(BaseModel):
    """How much each need factor counts in the priority ranking (relative; need not sum to 1)."""

    income: WeightValue = Field(description="Low income per person")
    condition: WeightValue = Field(description="House condition")
    vulnerable: WeightValue = Field(description="Share of elderly, young, disabled, ill members")


class RankingWeightsUpdate(RankingWeights):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    updated_by: str = Field(min_length=1, max_length=200, description="The admin making the change")


class ProgrammePublic(BaseModel):
    code: Programme
    name_th: str
    name_en: str
    unit: ProgrammeUnit
    income_limit_satang: int | None
    allowed_house_conditions: list[HouseCondition]
    allowed_tenures: list[LandTenure]
    ranking_weights: RankingWeights
    updated_by: str
    updated_at: datetime

    @classmethod
    def of(cls, rules: ProgrammeRules) -> "ProgrammePublic":
        return cls(
            **rules.model_dump(exclude={"weight_income", "weight_condition", "weight_vulnerable"}),
            ranking_weights=weights_of(rules),
        )


def weights_of(rules: ProgrammeRules) -> RankingWeights:
    return RankingWeights(
        income=rules.weight_income,
        condition=rules.weight_condition,
        vulnerable=rules.weight_vulnerable,
    )
