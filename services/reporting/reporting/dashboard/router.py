"""/dashboard: the page, served from the package."""

import json
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["dashboard"])


@cache
def _page() -> str:
    return files(__package__).joinpath("static/index.html").read_text("utf-8")


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(request: Request) -> HTMLResponse:
    # Its API calls go under the prefix the service is published under (root_path),
    # written in as a JS string literal (json.dumps, "<" escaped for the script tag).
    root_path = json.dumps(request.scope.get("root_path", "")).replace("<", "\\u003c")
    return HTMLResponse(_page().replace('"__BAAN_ROOT_PATH__"', root_path))
