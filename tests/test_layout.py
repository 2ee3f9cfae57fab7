"""The design card: four independent services that share only ``baan_shared``."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("survey", "construction", "finance", "reporting")


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
    assert "baan_local" not in imported  # the local runner is not a runtime dependency


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
