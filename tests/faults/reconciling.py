"""``baan-reconcile`` as the fault suite runs it after each fault: every service must
agree with every other, as an operator would check."""

from __future__ import annotations

import asyncio
import sys
import time

from platform_harness import Platform

from baan_tools.reconcile import SERVICES_READ


async def reconcile(platform: Platform) -> tuple[int, str]:
    """`baan-reconcile` against this platform, as an operator would run it: its exit
    code (0: every service agrees) and what it printed."""
    args = [f"--{name}={platform.services[name].url}" for name in SERVICES_READ]
    args.append(f"--token={platform.issuer.token_for('baan-national')}")
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "baan_tools.reconcile",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(command.communicate(), timeout=300)
    return (command.returncode or 0), output.decode(errors="replace")


async def reconcile_once_settled(platform: Platform, within: float) -> tuple[int, str]:
    """`baan-reconcile` again every two seconds until it finds every service in agreement,
    for at most ``within`` seconds: what was in flight when the fault struck may still be
    on its way, and a reconciliation is a snapshot. The last run's answer."""
    reconciled = await reconcile(platform)
    deadline = time.monotonic() + within
    while reconciled[0] != 0 and time.monotonic() < deadline:
        await asyncio.sleep(2)
        reconciled = await reconcile(platform)
    return reconciled
