"""The TypeScript types for internal frontends (clients/typescript) match the published
OpenAPI documents, and compile.

``clients/typescript/generate.mjs`` runs openapi-typescript (pinned in package.json and
package-lock.json, installed with ``npm ci`` into the gitignored node_modules) over
contracts/openapi/*.json. Here it regenerates into a temporary folder: a committed
``src/*.d.ts`` that differs is drift (a contract changed without its types). Then
``tsc --noEmit`` checks the types and ``checks/usage.ts``, which uses them as a
frontend would. Needs Node.js and npm (and the npm registry once, for ``npm ci``);
without them this fails, not skips.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "clients" / "typescript"
CONTRACTS = ROOT / "contracts" / "openapi"
FIX = "run `npm ci && npm run generate` in clients/typescript and commit src/"


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"needs {name} (Node.js 18 or later) on the PATH"
    return found


def _installed_version(package: str) -> str | None:
    manifest = PACKAGE / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    version: str = json.loads(manifest.read_text())["version"]
    return version


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """``npm ci`` when node_modules lacks the pinned versions (once, then reused)."""
    pinned: dict[str, str] = json.loads((PACKAGE / "package.json").read_text())["devDependencies"]
    node = _tool("node")
    if any(_installed_version(package) != version for package, version in pinned.items()):
        subprocess.run(
            [_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PACKAGE,
            check=True,
            timeout=600,
        )
    assert all(_installed_version(p) == v for p, v in pinned.items()), "npm ci did not install"
    assert node
    return PACKAGE / "node_modules"


def test_the_committed_types_are_generated_from_the_published_openapi(
    node_modules: Path, tmp_path: Path
) -> None:
    subprocess.run(
        [_tool("node"), str(PACKAGE / "generate.mjs"), str(tmp_path)],
        cwd=PACKAGE,
        check=True,
        timeout=300,
        capture_output=True,
    )
    services = sorted(path.stem for path in CONTRACTS.glob("*.json"))
    expected = {f"{service}.d.ts" for service in services} | {"index.d.ts"}
    assert {p.name for p in tmp_path.iterdir()} == expected
    committed = {p.name for p in (PACKAGE / "src").iterdir()}
    assert committed == expected, f"clients/typescript/src holds {sorted(committed)}; {FIX}"
    drifted = [
        name
        for name in sorted(expected)
        if (tmp_path / name).read_text(encoding="utf-8")
        != (PACKAGE / "src" / name).read_text(encoding="utf-8")
    ]
    assert not drifted, f"clients/typescript/src/{drifted} differ from the OpenAPI: {FIX}"


def test_the_types_compile_as_a_frontend_uses_them(node_modules: Path) -> None:
    checked = subprocess.run(
        [_tool("node"), str(node_modules / "typescript" / "bin" / "tsc"), "-p", "tsconfig.json"],
        cwd=PACKAGE,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
