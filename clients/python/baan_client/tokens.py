"""OAuth2 client-credentials tokens (RFC 6749 §4.4), fetched and refreshed before they expire."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from baan_client.errors import TokenError

# Ask for a new token this long before the current one expires: a request sent
# with a token that expires on its way would be refused with 401.
DEFAULT_REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # on the source's clock (monotonic by default)
    scope: str | None = None


class ClientCredentials:
    """Gets tokens from ``token_url`` with the client's id and secret (HTTP Basic,
    ``client_secret_basic``), keeps the current one and gets another when it is
    within ``refresh_margin_seconds`` of expiring or after ``invalidate()``.
    Concurrent callers share one token request."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        http: httpx.AsyncClient | None = None,
        refresh_margin_seconds: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        timeout_seconds: float = 30.0,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self.scope = scope
        self._http = http
        self._owns_http = http is None
        self.refresh_margin_seconds = refresh_margin_seconds
        self._clock = clock
        self._timeout = timeout_seconds
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetched = 0  # how many tokens were fetched (for logs and tests)

    def __repr__(self) -> str:  # never the secret
        return f"ClientCredentials(token_url={self.token_url!r}, client_id={self.client_id!r})"

    async def access_token(self) -> str:
        """A token valid for at least the refresh margin (fetched if needed)."""
        token = self._token
        if token is not None and not self._expiring(token):
            return token.access_token
        async with self._lock:
            token = self._token
            if token is None or self._expiring(token):
                token = self._token = await self._fetch()
        return token.access_token

    def invalidate(self, access_token: str | None = None) -> None:
        """Forget the current token (the API refused it); with ``access_token``, only if
        it is still that one, so a refusal of an old token does not drop a new one."""
        if access_token is None or (self._token and self._token.access_token == access_token):
            self._token = None

    def _expiring(self, token: Token) -> bool:
        return self._clock() >= token.expires_at - self.refresh_margin_seconds

    async def _fetch(self) -> Token:
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        http = self._http or httpx.AsyncClient(timeout=self._timeout)
        self._http = http
        requested_at = self._clock()
        try:
            response = await http.post(
                self.token_url,
                data=form,
                auth=httpx.BasicAuth(self.client_id, self._secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise TokenError(f"cannot reach the token endpoint {self.token_url}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            raise TokenError(
                f"the token endpoint answered {response.status_code}"
                + (f": {error}" if error else "")
                + (f" ({description})" if description else ""),
                status_code=response.status_code,
                error=error,
            )
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise TokenError("the token endpoint's answer has no access_token")
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 300.0
        self.fetched += 1
        return Token(access_token, requested_at + lifetime, body.get("scope"))

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None
