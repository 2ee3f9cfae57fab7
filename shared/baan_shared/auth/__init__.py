"""Partner access: OAuth2 client-credentials JWTs validated against the issuer's
JWKS, scopes per action, per-area permissions in the queries, masked personal
data, an append-only audit log and rate limits per client.

How a service adopts it: docs/adr/0003-partner-access.md. The tables
(``audit_log``, ``rate_limit_counters``) live in ``baan_shared.auth.audit`` and
``baan_shared.auth.ratelimit``; importing this package does not add them to a
service's metadata.
"""

from baan_shared.auth.areas import (
    RESOLVED_BY,
    area_filter,
    does_not_exist,
    forbid_unless_covered,
    not_found_unless_covered,
    reference_unless_covered,
    taken_elsewhere,
    unknown_reference,
)
from baan_shared.auth.dependencies import (
    current_principal,
    install_partner_access,
    oauth2_scheme,
    operations_without_scopes,
    require_scopes,
)
from baan_shared.auth.pii import (
    mask_national_id,
    mask_phone,
    national_id_for,
    phone_for,
    reveals_personal_data,
)
from baan_shared.auth.principal import Principal
from baan_shared.auth.settings import AuthSettings

__all__ = [
    "RESOLVED_BY",
    "AuthSettings",
    "Principal",
    "area_filter",
    "current_principal",
    "does_not_exist",
    "forbid_unless_covered",
    "install_partner_access",
    "mask_national_id",
    "mask_phone",
    "national_id_for",
    "not_found_unless_covered",
    "oauth2_scheme",
    "operations_without_scopes",
    "phone_for",
    "reference_unless_covered",
    "require_scopes",
    "reveals_personal_data",
    "taken_elsewhere",
    "unknown_reference",
]
