"""The partner-access errors, as problem+json with the headers their status needs.

401 carries ``WWW-Authenticate: Bearer`` (RFC 6750), 429 and 503 carry
``Retry-After``; 429 also carries the IETF draft's ``RateLimit-Policy`` and
``RateLimit`` fields (draft-ietf-httpapi-ratelimit-headers-10: the client's
quota ``q`` per window ``w`` seconds, ``r`` requests remaining, reset in ``t``
seconds). ``install_auth_error_handlers`` adds the handlers that put
those headers on; the body is the same problem+json as every other error.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from baan_shared.errors import AppError, field_error
from baan_shared.http.errors import problem


class Unauthenticated(AppError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str, *, reason_code: str, **extra: Any) -> None:
        super().__init__(
            detail,
            errors=[field_error("header.Authorization", detail, reason_code)],
            **extra,
        )
        self.reason_code = reason_code

    def headers(self) -> dict[str, str]:
        if self.reason_code == "missing":
            # RFC 6750 §3.1: no error code when the request carried no token at all.
            return {"WWW-Authenticate": 'Bearer realm="baan"'}
        # The detail can quote the token's own header (its kid): keep the header
        # line ASCII, short and free of quotes so no token can break it.
        description = (
            self.detail.encode("ascii", "backslashreplace")
            .decode()
            .replace("\\", "/")
            .replace('"', "'")
        )
        description = "".join(c for c in description if c.isprintable())[:200]
        return {
            "WWW-Authenticate": (
                f'Bearer realm="baan", error="invalid_token", error_description="{description}"'
            )
        }


class TooManyRequests(AppError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"

    # The one policy every client's allowance follows, as named in ``RateLimit-Policy``.
    POLICY = "per-client"

    def __init__(
        self,
        detail: str,
        *,
        retry_after_seconds: int,
        limit: int,
        window_seconds: int,
        **extra: Any,
    ) -> None:
        super().__init__(
            detail,
            retry_after_seconds=retry_after_seconds,
            limit=limit,
            window_seconds=window_seconds,
            **extra,
        )
        self.retry_after_seconds = retry_after_seconds
        self.limit = limit
        self.window_seconds = window_seconds

    def headers(self) -> dict[str, str]:
        return {
            "Retry-After": str(self.retry_after_seconds),
            "RateLimit-Policy": f'"{self.POLICY}";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"{self.POLICY}";r=0;t={self.retry_after_seconds}',
        }


class IssuerUnavailable(AppError):
    status = 503
    code = "issuer-unavailable"
    title = "Cannot check tokens right now"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


def install_auth_error_handlers(app: FastAPI) -> None:
    async def _with_headers(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Unauthenticated | TooManyRequests | IssuerUnavailable)
        return problem(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers(),
            errors=exc.errors,
            **exc.extra,
        )

    for error in (Unauthenticated, TooManyRequests, IssuerUnavailable):
        app.add_exception_handler(error, _with_headers)
