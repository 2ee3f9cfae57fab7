"""Who may call what (docs/adr/0003-partner-access.md): reads need
``construction:read``, every change ``construction:write``."""

from typing import Annotated

from fastapi import Security

from baan_shared.auth import Principal, require_scopes
from baan_shared.auth.scopes import CONSTRUCTION_READ, CONSTRUCTION_WRITE

Reader = Annotated[Principal, Security(require_scopes(CONSTRUCTION_READ))]
Writer = Annotated[Principal, Security(require_scopes(CONSTRUCTION_WRITE))]
