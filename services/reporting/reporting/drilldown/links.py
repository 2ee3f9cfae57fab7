"""Links from a report's figures to their drill-down (``GET /v1/reports/households``).

A link carries the report's filters and the figure's own (row's area, measure,
stage, month), so following it lists exactly the households the figure counts.
Links are relative to the service's root, like every path in its API.
"""

from urllib.parse import urlencode

PATH = "/v1/reports/households"


def drill_link(**params: object) -> str:
    """The drill-down URL for these filters; None values are left out."""
    given = {name: str(value) for name, value in params.items() if value is not None}
    return f"{PATH}?{urlencode(sorted(given.items()))}"
