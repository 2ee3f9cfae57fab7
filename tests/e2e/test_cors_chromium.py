"""CORS in a real browser: a page on another origin calls the survey API with a bearer token.

The survey service (the real app, on SQLite, Kafka off) serves on a real port with
``CORS_ALLOWED_ORIGINS`` naming one page origin. Two stdlib HTTP servers on other
ports of 127.0.0.1 (other origins: the port is part of the origin) serve the same
page, whose script sends ``GET /v1/households`` with ``Authorization: Bearer …``
(which makes the browser send a preflight first) and writes the outcome into the
DOM. Headless Chromium (Debian's package) loads each page and prints the DOM: the
allowed origin reads the households, the other one's fetch fails with a TypeError
(the browser refused the answer for want of Access-Control-Allow-Origin).
`make test` installs Chromium (scripts/install-test-deps.sh); without it this fails, not skips.
"""

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from platform_harness import household_body

from baan_local.ports import free_ports
from baan_testkit.auth import auth_settings, session_issuer
from baan_testkit.chromium import require_chromium, run_chromium
from survey.main import create_app
from survey.settings import SurveySettings

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Partner page</title></head>
<body data-done="no"><pre id="outcome"></pre>
<script>
(async () => {
  const params = new URLSearchParams(location.hash.slice(1));
  const outcome = document.getElementById("outcome");
  try {
    const response = await fetch(params.get("api") + "/v1/households?limit=5", {
      headers: {"Authorization": "Bearer " + params.get("token")},
    });
    const body = await response.json();
    outcome.dataset.status = String(response.status);
    outcome.textContent = JSON.stringify(body);
  } catch (error) {
    outcome.dataset.error = error.name;
    outcome.textContent = String(error.message);
  }
  document.body.dataset.done = "yes";
})();
</script></body></html>
"""


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    require_chromium()


@dataclass
class Outcome:
    done: str | None = None
    status: str | None = None
    error: str | None = None
    text: str = ""


class OutcomeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.outcome = Outcome()
        self._in_outcome = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.outcome.done = a.get("data-done")
        if tag == "pre" and a.get("id") == "outcome":
            self._in_outcome = True
            self.outcome.status = a.get("data-status")
            self.outcome.error = a.get("data-error")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_outcome = False

    def handle_data(self, data: str) -> None:
        if self._in_outcome:
            self.outcome.text += data


class PageServer:
    """The partner's page on its own origin: a stdlib HTTP server in a thread."""

    def __init__(self, folder: Path, port: int) -> None:
        handler = partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.origin = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "PageServer":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Setup:
    api: str
    allowed: PageServer
    other: PageServer


@pytest.fixture
def page_servers(tmp_path: Path) -> Iterator[tuple[PageServer, PageServer]]:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "partner.html").write_text(PAGE, encoding="utf-8")
    allowed_port, other_port = free_ports(2)
    with PageServer(folder, allowed_port) as allowed, PageServer(folder, other_port) as other:
        yield allowed, other


@pytest.fixture
async def setup(
    tmp_path: Path, page_servers: tuple[PageServer, PageServer]
) -> AsyncIterator[Setup]:
    allowed, other = page_servers
    settings = SurveySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/survey.db",
        import_spool_dir=tmp_path / "imports",
        storage_dir=str(tmp_path / "photos"),
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        cors_allowed_origins=[allowed.origin],
    )
    app: FastAPI = create_app(settings, auth_settings(session_issuer()))
    (port,) = free_ports(1)
    async with app.router.lifespan_context(app):
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        for _ in range(400):  # bounded: 20 s at most
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started, "the survey service did not start"
        try:
            yield Setup(f"http://127.0.0.1:{port}", allowed, other)
        finally:
            server.should_exit = True
            await serving


def _token() -> str:
    return session_issuer().token_for("baan-national")


async def _load(page: PageServer, api: str, tmp_path: Path) -> Outcome:
    fragment = f"api={quote(api, safe='')}&token={quote(_token(), safe='')}"
    dom = await run_chromium(
        tmp_path / ("chromium-" + page.origin.rsplit(":", 1)[1]),
        "--dump-dom",
        # The token travels in the fragment, which the browser never sends to a server.
        f"{page.origin}/partner.html#{fragment}",
    )
    parser = OutcomeParser()
    parser.feed(dom.decode("utf-8"))
    return parser.outcome


async def test_a_page_on_an_allowed_origin_reads_the_api_with_a_bearer_token(
    setup: Setup, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(
        base_url=setup.api, headers={"Authorization": f"Bearer {_token()}"}, timeout=30
    ) as http:
        created = await http.post("/v1/households", json=household_body())
    assert created.status_code == 201, created.text

    outcome = await _load(setup.allowed, setup.api, tmp_path)

    assert outcome.done == "yes", outcome
    assert outcome.error is None, outcome
    assert outcome.status == "200", outcome
    listed = json.loads(outcome.text)
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]
    assert "next_cursor" in listed


async def test_a_page_on_another_origin_is_refused_by_the_browser(
    setup: Setup, tmp_path: Path
) -> None:
    outcome = await _load(setup.other, setup.api, tmp_path)

    assert outcome.done == "yes", outcome
    assert outcome.status is None, outcome
    assert outcome.error == "TypeError", outcome
