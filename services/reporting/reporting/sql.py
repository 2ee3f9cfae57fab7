"""SQL pieces the reports' repositories share: sums of money that stay integers, and
the caller's areas as a WHERE clause (ADR 0003), applied in the query before any
GROUP BY so that no total can include another area's rows."""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, func, true
from sqlmodel import col

from baan_shared.auth import Principal, area_filter


def satang_sum(column: Any) -> ColumnElement[Any]:
    """SUM of a satang column, 0 over no rows."""
    # SUM(bigint) is numeric on PostgreSQL; money stays an integer.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def in_areas(principal: Principal | None, table: Any) -> ColumnElement[bool]:
    """Rows of ``table`` (with province, district and sub-district codes) in the caller's
    areas; every row for None (an internal read)."""
    if principal is None:
        return true()
    return area_filter(
        principal,
        province=col(table.province_code),
        district=col(table.district_code),
        subdistrict=col(table.subdistrict_code),
    )
