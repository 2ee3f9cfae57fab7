"""Rate limits per client, counted in the service's own database so that every
replica of the service shares one count, leased in blocks so that no request
writes just to be counted (``limiter``)."""

from baan_shared.auth.ratelimit.limiter import RateLimiter
from baan_shared.auth.ratelimit.table import RateLimitCounter

__all__ = ["RateLimitCounter", "RateLimiter"]
