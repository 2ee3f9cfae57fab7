"""Who may call what: the scopes each kind of operation requires (docs/adr/0003-partner-access.md).

Reads need ``survey:read``, survey writes ``survey:write``, and the committee's
decisions (screen, approve, reject, waitlist, meeting minutes) ``survey:approve``:
recording a survey and selecting who gets help are different responsibilities.
"""

from typing import Annotated

from fastapi import Security

from baan_shared.auth import Principal, require_scopes
from baan_shared.auth.scopes import SURVEY_APPROVE, SURVEY_READ, SURVEY_WRITE

Reader = Annotated[Principal, Security(require_scopes(SURVEY_READ))]
Writer = Annotated[Principal, Security(require_scopes(SURVEY_WRITE))]
Approver = Annotated[Principal, Security(require_scopes(SURVEY_APPROVE))]
