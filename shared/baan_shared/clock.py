"""Time: every timestamp the platform stores is timezone-aware UTC, while the
dates people report ("started today") are Thai calendar dates.

At 06:00 in Bangkok it is still yesterday in UTC, and on 1 October that would
even put a house in the previous fiscal year. Thailand keeps no daylight
saving, so a fixed UTC+7 offset is exact.
"""

from datetime import UTC, date, datetime, timedelta, timezone

THAILAND = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(UTC)


def thai_date(moment: datetime) -> date:
    """The Thai calendar date of ``moment``; a naive moment is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(THAILAND).date()


def thai_today() -> date:
    return thai_date(utcnow())
