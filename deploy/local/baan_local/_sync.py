"""Running a coroutine from synchronous code.

The local servers have synchronous start/stop methods (a CLI, pytest fixtures and
async tests all call them), but they talk to Kafka and PostgreSQL through asyncio
clients. `run_sync` works in both situations: with no event loop running it uses
`asyncio.run`; inside a running loop (an async test stopping the broker) it runs
the coroutine on a worker thread with its own loop and blocks until it is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion and return its result, whatever loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="baan-run-sync") as pool:
        return pool.submit(asyncio.run, coro).result()
