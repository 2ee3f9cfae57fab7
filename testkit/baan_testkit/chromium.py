"""Headless Chromium for the tests that look at pages as people do: the dashboard,
the demo's screenshots, a partner's page calling the API from its own origin.
Debian's ``chromium``, installed by ``scripts/install-test-deps.sh``."""

import asyncio
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
"""A browser that talks to nothing but the pages it is given."""


def require_chromium() -> None:
    assert Path(CHROMIUM).exists(), "needs Debian's chromium: run scripts/install-test-deps.sh"


async def run_chromium(
    profile: Path, *args: str, budget_ms: int = 15_000, timeout: float = 120
) -> bytes:
    """Chromium once over ``args`` (a URL with ``--dump-dom`` or ``--screenshot=FILE``),
    scripts given ``budget_ms`` of virtual time; what it printed (the DOM)."""
    chromium = await asyncio.create_subprocess_exec(
        CHROMIUM,
        *HEADLESS,
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(chromium.communicate(), timeout=timeout)
    return out
