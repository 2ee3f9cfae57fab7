"""Who may call what: the scopes each kind of operation requires (docs/adr/0003-partner-access.md).

Reads need ``survey:read``, survey writes ``survey:write``, and the committee's
decisions (screen, approve, reject, waitlist, meeting minutes) ``survey:approve``:
recording a survey and selecting who gets help are different responsibilities.
Programme rules and ranking weights apply in every area, so only a national
client (or ``admin``) may change them, with ``survey:write``.
"""

from typing import Annotated

from fastapi import Depends, Security

from baan_shared.auth import Principal, forbid_unless_covered, require_scopes
from baan_shared.auth.scopes import SURVEY_APPROVE, SURVEY_READ, SURVEY_WRITE
from baan_shared.errors import Forbidden, field_error

Reader = Annotated[Principal, Security(require_scopes(SURVEY_READ))]
Writer = Annotated[Principal, Security(require_scopes(SURVEY_WRITE))]
Approver = Annotated[Principal, Security(require_scopes(SURVEY_APPROVE))]


async def national_writer(principal: Writer) -> Principal:
    """A writer whose areas are the whole country: what it changes applies everywhere."""
    if not principal.all_areas:
        reason = "the token's areas are not the whole country (*)"
        raise Forbidden(
            f"client {principal.client_id!r} may not change what applies in every area",
            errors=[field_error("header.Authorization", reason, "area")],
        )
    return principal


NationalWriter = Annotated[Principal, Depends(national_writer)]


def forbid_unless_tambon_covered(principal: Principal, subdistrict_code: str) -> None:
    """A write that places a record in the tambon ``body.subdistrict_code``: only in the
    caller's areas (403 naming the field). A tambon code begins with its district's 4
    digits, which begin with its province's 2."""
    forbid_unless_covered(
        principal,
        province=subdistrict_code[:2],
        district=subdistrict_code[:4],
        subdistrict=subdistrict_code,
        field="body.subdistrict_code",
    )
