"""Calendar dates as the people building the houses see them: Thailand, UTC+7.

Timestamps are stored in UTC, but a date a committee reports ("started today")
is a Thai date: at 06:00 in Bangkok it is still yesterday in UTC, and on
1 October that would even put the work in the previous fiscal year.
Thailand keeps no daylight saving, so a fixed offset is exact.
"""

from datetime import UTC, date, datetime, timedelta, timezone

from baan_shared.clock import utcnow

THAILAND = timezone(timedelta(hours=7), "ICT")


def thai_date(moment: datetime) -> date:
    """The Thai calendar date of ``moment``; a naive moment is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(THAILAND).date()


def today() -> date:
    return thai_date(utcnow())
