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
