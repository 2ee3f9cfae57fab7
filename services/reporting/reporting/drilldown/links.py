"""Links from a report's figures to their drill-down (``GET /v1/reports/households``).

A link carries the report's filters and the figure's own (row's area, measure,
stage, month), so following it lists exactly the households the figure counts.
Links are relative to the service's root, like every path in its API.
"""

import re
from functools import lru_cache
from urllib.parse import quote_plus

PATH = "/v1/reports/households"
_SAFE = re.compile(r"[A-Za-z0-9_.\-~]*")


@lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    # A programme × province report has 462 rows of 8 links; urlencode's quoting of
    # each name and value was most of the report's time. The same few codes, stages
    # and programmes come again and again, and most need no quoting at all.
    return value if _SAFE.fullmatch(value) else quote_plus(value)


def drill_link(**params: object) -> str:
    """The drill-down URL for these filters (as ``urlencode`` writes them, sorted by
    name); None values are left out."""
    query = "&".join(
        f"{_quoted(name)}={_quoted(str(value))}"
        for name, value in sorted(params.items())
        if value is not None
    )
    return f"{PATH}?{query}"
