"""Who may call what (docs/adr/0003-partner-access.md): reads need ``welfare:read``;
registering funds and members, recording contributions and filing claims need
``welfare:write``; a fund committee's decisions on claims and paying benefits need
``welfare:decide``; approving a match of contributions needs ``welfare:match``."""

from typing import Annotated

from fastapi import Security

from baan_shared.auth import Principal, require_scopes
from baan_shared.auth.scopes import WELFARE_DECIDE, WELFARE_MATCH, WELFARE_READ, WELFARE_WRITE

Reader = Annotated[Principal, Security(require_scopes(WELFARE_READ))]
Writer = Annotated[Principal, Security(require_scopes(WELFARE_WRITE))]
Committee = Annotated[Principal, Security(require_scopes(WELFARE_DECIDE))]
MatchApprover = Annotated[Principal, Security(require_scopes(WELFARE_MATCH))]
