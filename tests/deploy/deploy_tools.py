"""Where the deploy checks find their tools; a missing tool fails, never skips."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
CHART = ROOT / "deploy" / "helm" / "baan"
INSTALL_HINT = "run scripts/install-test-deps.sh (it calls tests/deploy/install-tools.sh)"


def tool(name: str) -> Path:
    """A tool from .tools (installed by install-tools.sh), else from PATH for helm and uv."""
    candidates = {
        "helm": [TOOLS / "bin" / "helm"],
        "promtool": [TOOLS / "bin" / "promtool"],
        "python": [TOOLS / "deploy-venv" / "bin" / "python"],
        "hadolint": [TOOLS / "deploy-venv" / "bin" / "hadolint"],
        "uv": [TOOLS / "bin" / "uv"],  # scripts/install.sh puts it there unless on PATH
    }[name]
    for path in candidates:
        if path.exists():
            return path
    if name in ("helm", "uv") and (found := shutil.which(name)):
        return Path(found)
    pytest.fail(f"{name} is not installed: {INSTALL_HINT}", pytrace=False)


def run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result
