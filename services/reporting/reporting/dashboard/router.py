"""/dashboard: the page, and the assets it uses, served from the package.

``static/vendor`` holds what npm delivered at build time (Apache ECharts, the
Sarabun Thai font, the province outlines of @svg-maps/thailand:
scripts/dashboard-assets.sh); nothing is fetched at run time. The outlines go to
the page as ``thailand-map.json``, keyed by official province code (``provinces``).
"""

import json
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from baan_shared.auth.settings import AuthSettings
from reporting.dashboard.provinces import SVG, thailand_map

router = APIRouter(tags=["dashboard"])

STATIC = Path(str(files(__package__).joinpath("static")))
VENDOR = STATIC / "vendor"
ASSETS = {
    "fonts.css": STATIC / "fonts.css",
    "echarts.min.js": VENDOR / "echarts.min.js",
    **{
        f"fonts/sarabun-{subset}-{weight}-normal.woff2": VENDOR
        / "fonts"
        / f"sarabun-{subset}-{weight}-normal.woff2"
        for subset in ("thai", "latin")
        for weight in (400, 700)
    },
}
"""Only these files are served (no directory listing, no path from the request)."""


@cache
def _page() -> str:
    return files(__package__).joinpath("static/index.html").read_text("utf-8")


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(request: Request) -> HTMLResponse:
    # Its API calls go under the prefix the service is published under (root_path),
    # written in as a JS string literal (json.dumps, "<" escaped for the script tag).
    prefix = request.scope.get("root_path", "")
    root_path = json.dumps(prefix).replace("<", "\\u003c")
    # Its own assets under the same prefix (an attribute value: quotes escaped).
    assets = (prefix + "/dashboard/assets").replace("&", "&amp;").replace('"', "&quot;")
    page = _page().replace('"__BAAN_ROOT_PATH__"', root_path)
    # Which token claim names the caller's areas, so the map draws only those provinces.
    access = getattr(request.app.state, "partner_access", None)
    claim = access.settings.areas_claim if access is not None else AuthSettings().areas_claim
    page = page.replace('"__BAAN_AREAS_CLAIM__"', json.dumps(claim).replace("<", "\\u003c"))
    return HTMLResponse(page.replace("__BAAN_ASSETS__", assets))


@router.get("/dashboard/assets/{name:path}", include_in_schema=False)
async def dashboard_asset(name: str) -> Response:
    if name == "thailand-map.json":
        if not SVG.is_file():
            return Response(status_code=404)
        return JSONResponse(thailand_map(), headers={"Cache-Control": "public, max-age=86400"})
    found = ASSETS.get(name)
    if found is None or not found.is_file():
        return Response(status_code=404)
    # Versioned by the lock file: a day's caching is safe.
    return FileResponse(found, headers={"Cache-Control": "public, max-age=86400"})
