"""Reading and changing a programme's rules."""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.http.errors import NotFound
from baan_shared.reference import Programme
from survey.programmes import repository
from survey.programmes.models import ProgrammeRules
from survey.programmes.schemas import ProgrammeUpdate


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
