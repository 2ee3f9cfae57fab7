"""Per-area permissions enforced in the queries themselves.

``area_filter`` turns a principal into a WHERE clause on a table's area-code
columns, so list, search, export and report queries can only ever return the
client's rows. For one record, ``principal.covers(...)`` decides.

Elsewhere is nowhere (docs/adr/0003-partner-access.md): for a caller bound to
areas, another area's object does not exist. One rule, used by every service:

- an id in a path or query: ``not_found_unless_covered`` raises exactly the 404
  a missing id gets (``does_not_exist``: same type, same text but the id);
- an id in a request body: ``reference_unless_covered`` raises exactly the 422
  an unknown reference gets (``unknown_reference``, naming the field);
- a national uniqueness rule (one household helped once, fund codes, payment
  references) hit by another area's record: ``taken_elsewhere`` says only that
  the value is taken and who can resolve it, never the other record's id,
  programme, area or amount. National clients keep the details.

Codes are hierarchical: a district code starts with its province's 2 digits,
a sub-district code with its district's 4.
"""

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from baan_shared.auth.principal import Principal
from baan_shared.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error

RESOLVED_BY = "the national office (CODI)"
"""Who can resolve a conflict with a record outside the caller's areas."""


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


def does_not_exist(what: str) -> NotFound:
    """The one 404 for a record that is missing *or* outside the caller's areas.

    ``what`` names the record with its id, e.g. ``f"household {household_id}"``;
    the text is ``"household 0190… does not exist"`` either way.
    """
    return NotFound(f"{what} does not exist")


def not_found_unless_covered(
    principal: Principal,
    what: str,
    *,
    province: str | None,
    district: str | None = None,
    subdistrict: str | None = None,
) -> None:
    """Raise the 404 a missing record gets (``does_not_exist(what)``) when the
    record is outside the principal's areas (``what``: e.g. "household 0190…")."""
    if not principal.covers(province, district, subdistrict):
        raise does_not_exist(what)


def unknown_reference(field: str, what: str, identifier: object) -> Unprocessable:
    """The one 422 for an id in a request body that names nothing the caller can see.

    ``field`` is the body path (``body.revolving_fund_id``), ``what`` the kind
    of record (``revolving fund``). Missing and outside the caller's areas give
    the same answer, except the id.
    """
    return Unprocessable(
        f"unknown {what} {identifier}",
        errors=[
            field_error(
                field,
                f"no {what} with this id exists in the client's areas",
                "unknown-reference",
                value=identifier,
            )
        ],
    )


def reference_unless_covered(
    principal: Principal,
    field: str,
    what: str,
    identifier: object,
    *,
    province: str | None,
    district: str | None = None,
    subdistrict: str | None = None,
) -> None:
    """Raise ``unknown_reference`` when a body reference lies outside the caller's areas."""
    if not principal.covers(province, district, subdistrict):
        raise unknown_reference(field, what, identifier)


def taken_elsewhere(field: str, what: str, value: object) -> Conflict:
    """409 for a national uniqueness rule broken by a record outside the caller's areas.

    Says that the value is taken and who can resolve it; nothing of the other
    record (no id, programme, area or amount).
    """
    return Conflict(
        f"{what} {value} is already taken outside the client's areas; "
        f"{RESOLVED_BY} can resolve this",
        errors=[
            field_error(
                field,
                f"already taken outside the client's areas; ask {RESOLVED_BY}",
                "taken-elsewhere",
                value=value,
            )
        ],
    )


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
            errors=[field_error(field, "outside the client's areas", "area")],
        )
