"""A tambon's coverage, and its event.

The tambon is surveyed as a whole when a round covering the whole tambon has
finished, or when every community registered in it (at least one) has a finished
round of its own. The number of households living there is the one the latest
finished whole-tambon round gave; coverage is households registered over it.
``tambon.coverage_changed`` is published when a finished round is recorded,
carrying the figures at that moment.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.clock import utcnow
from baan_shared.events.catalog import TambonCoverageChanged
from baan_shared.outbox import record_event
from survey import SERVICE_NAME
from survey.areas.service import region_of
from survey.coverage import repository
from survey.coverage.schemas import TambonCoveragePublic

SOURCE = f"/services/{SERVICE_NAME}"


async def coverage(session: AsyncSession, subdistrict_code: str) -> TambonCoveragePublic:
    communities = await repository.communities(session, subdistrict_code)
    surveyed = await repository.communities_surveyed(session, subdistrict_code)
    rounds = await repository.whole_tambon_rounds(session, subdistrict_code)
    households = await repository.households(session, subdistrict_code)
    in_area = next((r.households_in_area for r in rounds if r.households_in_area), None)
    return TambonCoveragePublic(
        subdistrict_code=subdistrict_code,
        district_code=subdistrict_code[:4],
        province_code=subdistrict_code[:2],
        communities=communities,
        communities_surveyed=surveyed,
        whole_tambon_rounds_finished=len(rounds),
        households_surveyed=households,
        households_in_area=in_area,
        household_coverage=round(households / in_area, 4) if in_area else None,
        whole_tambon_surveyed=bool(rounds) or (communities > 0 and surveyed >= communities),
        as_of=utcnow(),
    )


async def publish(session: AsyncSession, subdistrict_code: str) -> None:
    """Record ``tambon.coverage_changed`` in the outbox, in the caller's transaction."""
    await session.flush()
    figures = await coverage(session, subdistrict_code)
    await record_event(
        session,
        TambonCoverageChanged(
            **figures.model_dump(exclude={"household_coverage", "whole_tambon_rounds_finished"}),
            region_code=region_of(figures.province_code),
        ),
        source=SOURCE,
    )
