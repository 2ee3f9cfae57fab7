"""The design card: five independent services that share only ``baan_shared``."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from baan_shared.registry import SERVICE_NAMES
from baan_shared.registry import SERVICES as REGISTERED

ROOT = Path(__file__).resolve().parents[1]
SERVICES = SERVICE_NAMES


def _imported_packages(package_dir: Path) -> set[str]:
    found: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    imported = _imported_packages(ROOT / "services" / service / service)
    others = set(SERVICES) - {service}
    assert not imported & others, f"{service} imports {imported & others}"
    # the local runner, the tools and the test kit are not runtime dependencies
    assert not imported & {"baan_local", "baan_tools", "baan_testkit"}


def test_the_runtime_library_ships_no_test_or_tool_code() -> None:
    imported = _imported_packages(ROOT / "shared" / "baan_shared")
    assert not imported & {"baan_local", "baan_tools", "baan_testkit", "pytest"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_its_own_package_with_its_own_migrations(service: str) -> None:
    base = ROOT / "services" / service
    assert (base / "pyproject.toml").is_file()
    assert (base / service / "main.py").is_file()
    assert (base / service / "settings.py").is_file()
    assert any((base / service / "migrations" / "versions").glob("*.py"))


# The HTTP edge of a service: what may speak HTTP (routers, their schemas' field
# types, the app's assembly). Everything else is the domain, which raises the
# ``baan_shared.errors`` family and never imports ``baan_shared.http``.
HTTP_EDGE = {"router.py", "schemas.py", "main.py", "deps.py", "models.py"}


def _modules(service: str) -> list[Path]:
    package = ROOT / "services" / service / service
    return [
        path
        for path in sorted(package.rglob("*.py"))
        if "migrations" not in path.relative_to(package).parts
    ]


def _imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_domain_modules_do_not_import_the_http_layer(service: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imports_of(path) if name.startswith("baan_shared.http")
        )
        for path in _modules(service)
        if path.name not in HTTP_EDGE
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_the_shared_error_family_knows_nothing_of_http() -> None:
    imported = _imports_of(ROOT / "shared" / "baan_shared" / "errors.py")
    assert not {name for name in imported if name.split(".")[0] in {"fastapi", "starlette"}}
    assert not {name for name in imported if name.startswith("baan_shared.")}


def test_the_http_layer_does_not_import_the_chassis_that_mounts_it() -> None:
    http = ROOT / "shared" / "baan_shared" / "http"
    for path in http.glob("*.py"):
        assert "baan_shared.service" not in _imports_of(path), path.name


def _module_name(service: str, path: Path) -> str:
    package = ROOT / "services" / service
    return ".".join(path.relative_to(package).with_suffix("").parts)


@pytest.mark.parametrize("service", SERVICES)
def test_calls_go_router_to_service_to_repository_never_back(service: str) -> None:
    """A service module never reaches up to a router, a repository never to a service
    or a router: SQL sits under the rules, the rules under HTTP."""
    upward: dict[str, list[str]] = {}
    for path in _modules(service):
        own = _module_name(service, path)
        kind = path.stem
        names = {name for name in _imports_of(path) if name.startswith(f"{service}.")}
        above = {"router"} if kind != "main" else set()
        if kind == "repository":
            above |= {"service"}
        found = sorted(
            name
            for name in names
            if {part for part in name.split(".")[1:]} & above and not own.startswith(name)
        )
        if kind != "router" and found:
            upward[own] = found
    assert not upward


def _repositories_imported(service: str, path: Path) -> list[str]:
    return sorted(
        name
        for name in _imports_of(path)
        if name.startswith(f"{service}.") and "repository" in name.split(".")[1:]
    )


@pytest.mark.parametrize("service", SERVICES)
def test_routers_call_services_never_repositories(service: str) -> None:
    """A router calls its module's service (and others' services), never a repository:
    the rules (areas, existence, limits) sit in the service, between HTTP and SQL."""
    found = {
        _module_name(service, path): _repositories_imported(service, path)
        for path in _modules(service)
        if path.name == "router.py"
    }
    assert not {name: repos for name, repos in found.items() if repos}


# Route handlers only translate HTTP to a service call and back; the steps live in the
# service.
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "api_route"}


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_handler_is_longer_than_40_lines(service: str) -> None:
    long: dict[str, int] = {}
    for path in _modules(service):
        if path.name != "router.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            is_route = any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr in ROUTE_DECORATORS
                for d in node.decorator_list
            )
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            name = f"{_module_name(service, path)}.{node.name}"
            if is_route and lines > 40:
                long[name] = lines
    assert not long


# Reporting serves many reports: each URL prefix (a report with its export, or a
# resource) lives in one module, so a reader finds /v1/reports/money/export in money/.
# A new prefix is added here with the module that serves it.
REPORTING_MODULE_OF_PREFIX = {
    "reports/progress": "reports",
    "reports/funnel": "reports",
    "reports/freshness": "reports",
    "reports/money": "money",
    "reports/targets": "achievements",  # target against achieved
    "reports/households": "drilldown",  # the households behind any figure
    "reports/plans": "plans",
    "reports/survey-coverage": "survey_coverage",
    "reports/welfare": "welfare",
    "reports/cumulative": "cumulative",
    "historical-achievements": "cumulative",  # what the cumulative report adds up
    "reports/long-term-targets": "long_term_targets",
    "long-term-targets": "long_term_targets",
    "targets": "targets",
    "query": "query",
    "rebuilds": "rebuilds",
    "dashboard": "dashboard",
}


def _routes(router_path: Path) -> Iterator[str]:
    """The paths a router module serves: its ``APIRouter(prefix=...)`` and each route's."""
    tree = ast.parse(router_path.read_text(encoding="utf-8"))
    prefixes: dict[str, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "APIRouter"
            and isinstance(node.targets[0], ast.Name)
        ):
            prefix = next((k.value for k in node.value.keywords if k.arg == "prefix"), None)
            prefixes[node.targets[0].id] = prefix.value if isinstance(prefix, ast.Constant) else ""
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ROUTE_DECORATORS
                and isinstance(decorator.func.value, ast.Name)
            ):
                first = decorator.args[0] if decorator.args else None
                path = first.value if isinstance(first, ast.Constant) else ""
                yield prefixes.get(decorator.func.value.id, "") + path


def _url_prefix(path: str) -> str:
    """``/v1/reports/money/export`` → ``reports/money``; ``/v1/targets/x`` → ``targets``."""
    parts = [part for part in path.split("/") if part and part != "v1"]
    return "/".join(parts[:2]) if parts[:1] == ["reports"] else parts[0]


def test_each_reporting_url_prefix_lives_in_one_module() -> None:
    package = ROOT / "services" / "reporting" / "reporting"
    modules_of: dict[str, set[str]] = {}
    for router_path in package.rglob("router.py"):
        module = ".".join(router_path.parent.relative_to(package).parts)
        for path in _routes(router_path):
            modules_of.setdefault(_url_prefix(path), set()).add(module)
    assert {prefix: sorted(modules) for prefix, modules in modules_of.items()} == {
        prefix: [module] for prefix, module in REPORTING_MODULE_OF_PREFIX.items()
    }


def test_the_registry_lists_every_service_folder_once() -> None:
    """A service is one entry in ``baan_shared.registry`` beside its folder: a folder
    without an entry would be run, checked and deployed by nothing."""
    folders = {path.parent.name for path in (ROOT / "services").glob("*/pyproject.toml")}
    assert set(SERVICES) == folders
    assert len(set(SERVICES)) == len(SERVICES)
    ports = [entry.port for entry in REGISTERED]
    assert len(set(ports)) == len(ports), f"two services share a local port: {ports}"
    workspace = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for entry in REGISTERED:
        assert f'"{entry.distribution}"' in workspace, f"{entry.distribution} not in the workspace"
