"""Reading and changing a programme's rules."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.errors import NotFound, Unprocessable, field_error
from baan_shared.reference import Programme
from survey.households.priority import Weights
from survey.programmes import repository
from survey.programmes.models import ProgrammeRules
from survey.programmes.schemas import ProgrammeUpdate, RankingWeightsUpdate


async def get(session: AsyncSession, code: Programme) -> ProgrammeRules:
    rules = await repository.get(session, code)
    if rules is None:
        raise NotFound(f"programme {code} has no rules")
    return rules


async def update(session: AsyncSession, code: Programme, data: ProgrammeUpdate) -> ProgrammeRules:
    rules = await repository.get(session, code, for_update=True)
    if rules is None:
        rules = ProgrammeRules(
            code=code, **data.model_dump(exclude={"allowed_house_conditions", "allowed_tenures"})
        )
    else:
        for field, value in data.model_dump(
            exclude={"allowed_house_conditions", "allowed_tenures"}
        ).items():
            setattr(rules, field, value)
    # JSON columns: store plain strings, and assign new lists so the change is seen.
    rules.allowed_house_conditions = [str(c) for c in data.allowed_house_conditions]
    rules.allowed_tenures = [str(t) for t in data.allowed_tenures]
    rules.updated_at = utcnow()
    session.add(rules)
    await session.flush()
    return rules


async def update_weights(
    session: AsyncSession, code: Programme, data: RankingWeightsUpdate
) -> ProgrammeRules:
    if data.income + data.condition + data.vulnerable <= 0:
        reason = "at least one weight must be above 0"
        raise Unprocessable(
            reason,
            errors=[
                field_error(f"body.{name}", reason, "invalid")
                for name in ("income", "condition", "vulnerable")
            ],
        )
    rules = await repository.get(session, code, for_update=True)
    if rules is None:
        raise NotFound(f"programme {code} has no rules")
    rules.weight_income = data.income
    rules.weight_condition = data.condition
    rules.weight_vulnerable = data.vulnerable
    rules.updated_by = data.updated_by
    rules.updated_at = utcnow()
    session.add(rules)
    await session.flush()
    return rules


async def saved_weights(session: AsyncSession) -> dict[Programme, Weights]:
    """Each programme's saved ranking weights."""
    return {
        rules.code: Weights(rules.weight_income, rules.weight_condition, rules.weight_vulnerable)
        for rules in await repository.all_(session)
    }


# --- reads the router serves (the repository behind the service) ----------------------


async def all_programmes(session: AsyncSession) -> list[ProgrammeRules]:
    return await repository.all_(session)
