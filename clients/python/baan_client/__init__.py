"""A typed Python client of the Baan services for partners (thin, over httpx).

- ``ClientCredentials``: OAuth2 client-credentials tokens, refreshed before expiry.
- ``BaanClient`` / ``ServiceClient``: an ``Idempotency-Key`` on every write (kept
  across retries), retries with backoff honouring 429 ``Retry-After``, and lists
  read through their ``next_cursor`` (``pages`` / ``items``).
- ``ApiError``: a 4xx/5xx answer with its problem+json; ``TokenError``: no token.
"""

from baan_client.client import (
    IDEMPOTENCY_HEADER,
    SERVICES,
    BaanClient,
    RetryPolicy,
    ServiceClient,
    retry_after_seconds,
)
from baan_client.errors import ApiError, BaanClientError, TokenError
from baan_client.tokens import ClientCredentials, Token

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SERVICES",
    "ApiError",
    "BaanClient",
    "BaanClientError",
    "ClientCredentials",
    "RetryPolicy",
    "ServiceClient",
    "Token",
    "TokenError",
    "retry_after_seconds",
]
