"""A construction process that dies the moment its first event's database
transaction commits, before the Kafka offset is committed: the crash that
exactly-once-in-effect must survive. Used by test_delivery_guarantees.py.

    python crashing_construction.py <port>
"""

import os
import sys

import uvicorn

from baan_shared.events import CloudEvent
from baan_shared.service import create_service_app
from construction import SERVICE_NAME
from construction.handlers import SUBSCRIPTIONS
from construction.settings import ConstructionSettings

CRASH_EXIT_CODE = 86


async def crash(_event: CloudEvent) -> None:
    os._exit(CRASH_EXIT_CODE)  # no cleanup, no offset commit: as a power cut would


app = create_service_app(
    name=SERVICE_NAME,
    title="construction that crashes after its first commit",
    description="test double of a crash, not a fake: the real service code and database",
    version="test",
    settings=ConstructionSettings(),
    routers=[],
    migrations="construction:migrations",
    subscriptions=SUBSCRIPTIONS,
    after_db_commit=crash,
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
