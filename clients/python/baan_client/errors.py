"""What the client raises: an API's problem+json answer, or a token it could not get."""

from typing import Any

import httpx


class BaanClientError(Exception):
    """Every error this package raises."""


class TokenError(BaanClientError):
    """The token endpoint refused the client's credentials or could not be reached."""

    def __init__(
        self, message: str, *, status_code: int | None = None, error: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error


class ApiError(BaanClientError):
    """A 4xx/5xx answer (after any retries), with its problem+json body (RFC 9457)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        self.problem: dict[str, Any] = body if isinstance(body, dict) else {}
        self.code: str | None = self.problem.get("code")
        self.title: str | None = self.problem.get("title")
        self.detail: str | None = self.problem.get("detail")
        errors = self.problem.get("errors")
        self.errors: list[dict[str, Any]] = errors if isinstance(errors, list) else []
        request = response.request
        super().__init__(
            f"{request.method} {request.url} answered {self.status_code}"
            + (f" {self.title}" if self.title else "")
            + (f": {self.detail}" if self.detail else "")
        )
