"""Per-area permissions enforced in the queries themselves.

``area_filter`` turns a principal into a WHERE clause on a table's area-code
columns, so list, search, export and report queries can only ever return the
client's rows. For one record, ``principal.covers(...)`` decides, and a record
outside the client's areas answers 404 (``not_found_unless_covered``): its
existence is not revealed.

Codes are hierarchical: a district code starts with its province's 2 digits,
a sub-district code with its district's 4.
"""

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from baan_shared.auth.principal import Principal
from baan_shared.http.errors import Forbidden, NotFound


def area_filter(
    principal: Principal,
    *,
    province: Any,
    district: Any | None = None,
    subdistrict: Any | None = None,
) -> ColumnElement[bool]:
    """``WHERE`` clause: the row lies in one of the principal's areas.

    Pass the table's columns, e.g.
    ``query.where(area_filter(p, province=Household.province_code,
    district=Household.district_code, subdistrict=Household.subdistrict_code))``.
    A table without a finer column only matches areas at the levels it has: a
    district-bound client sees none of a table that records provinces only.
    """
    if principal.all_areas:
        return true()
    provinces = sorted(a for a in principal.areas if len(a) == 2)
    districts = sorted(a for a in principal.areas if len(a) == 4)
    subdistricts = sorted(a for a in principal.areas if len(a) == 6)
    conditions: list[ColumnElement[bool]] = []
    if provinces:
        conditions.append(province.in_(provinces))
    if districts:
        if district is not None:
            conditions.append(district.in_(districts))
        if subdistrict is not None:
            # Rows that name a sub-district but not its district are still the district's.
            conditions.extend(subdistrict.startswith(code, autoescape=True) for code in districts)
    if subdistricts and subdistrict is not None:
        conditions.append(subdistrict.in_(subdistricts))
    if not conditions:
        return false()
    return or_(*conditions)


def not_found_unless_covered(
    principal: Principal,
    what: str,
    *,
    province: str | None,
    district: str | None = None,
    subdistrict: str | None = None,
) -> None:
    """Raise the same 404 a missing record gets when the record is outside the
    principal's areas (``what``: e.g. "household 0190…")."""
    if not principal.covers(province, district, subdistrict):
        raise NotFound(f"no {what}")


def forbid_unless_covered(
    principal: Principal,
    *,
    province: str | None,
    district: str | None = None,
    subdistrict: str | None = None,
    field: str = "body.province_code",
) -> None:
    """For writes that place a new record: the client may only create in its areas.

    403, not 404: the client names the area itself, so nothing is revealed.
    """
    if not principal.covers(province, district, subdistrict):
        where = subdistrict or district or province
        raise Forbidden(
            f"client {principal.client_id!r} may not act in area {where}",
            errors=[{"field": field, "reason": "outside the client's areas", "code": "area"}],
        )
