"""Baan's services, in one place.

Every tool that needs to know which services exist reads this table: the Kafka
access table (``baan_shared.bus.access``: who owns and reads which topics), the
local runner (``baan up``: ports, databases, data folders, processes), the
contract tooling (each service's OpenAPI document, the AsyncAPI channels), and
the tests that check every service (layout, migrations, deploy files, cross-area
leaks, the whole platform as processes).

Adding a service is one entry here plus the service's own folder
(``services/<name>/<name>/`` with ``main.py:create_app`` and
``settings.py:<Name>Settings``); docs/developing.md lists the rest (the workspace
``pyproject.toml``, the Helm chart's ``services`` values and the compose file,
which the deploy tests compare with this table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from baan_shared.events import topics


@dataclass(frozen=True)
class ServiceEntry:
    """One service: its name and everything the tooling derives from it."""

    name: str
    """The service's name: its folder under ``services/``, its Python package, its Kafka
    user and consumer group, its URL prefix behind the front door."""
    port: int
    """Its port on a developer's machine (``baan up``; base 8000, ``--port-base`` moves it)."""
    produces: tuple[str, ...] = ()
    """The streams it owns: the only service that creates and writes them."""
    consumes: tuple[str, ...] = ()
    """The streams it subscribes to."""
    group_prefixes: tuple[str, ...] = ()
    """Further consumer groups it may read, by prefix (reporting's rebuilds)."""
    folders: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Its folders under a local data folder, as ``<SETTING>: <sub-folder>``
    (``baan up`` sets ``<NAME>_<SETTING>``)."""

    @property
    def package(self) -> str:
        """The Python package (``services/<name>/<name>/``)."""
        return self.name

    @property
    def distribution(self) -> str:
        """The installable distribution in the uv workspace."""
        return f"baan-{self.name}"

    @property
    def factory(self) -> str:
        """The app factory, as uvicorn's ``--factory`` takes it."""
        return f"{self.package}.main:create_app"

    @property
    def settings_module(self) -> str:
        return f"{self.package}.settings"

    @property
    def settings_class(self) -> str:
        """The name of its settings class in ``settings_module``."""
        return f"{self.name.capitalize()}Settings"

    @property
    def env_prefix(self) -> str:
        """The prefix of its settings in the environment (``SURVEY_``)."""
        return f"{self.name.upper()}_"

    @property
    def database_url_env(self) -> str:
        """The variable that holds its database URL (``SURVEY_DATABASE_URL``)."""
        return f"{self.env_prefix}DATABASE_URL"

    @property
    def database(self) -> str:
        """Its database's name (its own database; no service reads another's)."""
        return self.name


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "survey",
        port=8001,
        produces=(
            topics.SURVEY_HOUSEHOLDS,
            topics.SURVEY_TAMBON_PLANS,
            topics.SURVEY_TAMBON_COVERAGE,
        ),
        consumes=(topics.FINANCE_GRANTS,),
        folders=MappingProxyType(
            {"STORAGE_DIR": "survey-photos", "IMPORT_SPOOL_DIR": "survey-imports"}
        ),
    ),
    ServiceEntry(
        "construction",
        port=8002,
        produces=(topics.CONSTRUCTION_HOUSES,),
        consumes=(topics.FINANCE_GRANTS, topics.SURVEY_HOUSEHOLDS),
        folders=MappingProxyType({"STORAGE_DIR": "construction-photos"}),
    ),
    ServiceEntry(
        "finance",
        port=8003,
        produces=(
            topics.FINANCE_BUDGETS,
            topics.FINANCE_GRANTS,
            topics.FINANCE_LOANS,
            topics.FINANCE_REVOLVING_FUNDS,
            topics.FINANCE_WELFARE_MATCHES,
        ),
        consumes=(topics.CONSTRUCTION_HOUSES, topics.SURVEY_HOUSEHOLDS, topics.WELFARE_MATCHES),
    ),
    ServiceEntry(
        "reporting",
        port=8004,
        produces=(),
        consumes=(
            topics.CONSTRUCTION_HOUSES,
            topics.FINANCE_BUDGETS,
            topics.FINANCE_GRANTS,
            topics.FINANCE_LOANS,
            topics.FINANCE_REVOLVING_FUNDS,
            topics.SURVEY_HOUSEHOLDS,
            topics.SURVEY_TAMBON_COVERAGE,
            topics.SURVEY_TAMBON_PLANS,
            topics.WELFARE_FUNDS,
            topics.WELFARE_MEMBERS,
            topics.WELFARE_BENEFITS,
        ),
        group_prefixes=("reporting-rebuild-",),
    ),
    ServiceEntry(
        "welfare",
        port=8005,
        produces=(
            topics.WELFARE_FUNDS,
            topics.WELFARE_MEMBERS,
            topics.WELFARE_BENEFITS,
            topics.WELFARE_MATCHES,
        ),
        consumes=(topics.FINANCE_WELFARE_MATCHES,),
    ),
)

SERVICE_NAMES: tuple[str, ...] = tuple(entry.name for entry in SERVICES)

_BY_NAME = {entry.name: entry for entry in SERVICES}


def service(name: str) -> ServiceEntry:
    """The entry of ``name``; KeyError naming the known services if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"no service {name!r}; Baan's services: {', '.join(SERVICE_NAMES)}"
        ) from None


def readers_of(topic: str) -> tuple[str, ...]:
    """The services that subscribe to ``topic``, in registry order."""
    return tuple(entry.name for entry in SERVICES if topic in entry.consumes)
