"""The README's walk-through runs as written.

The shell blocks of "Try the first slice" are run with bash (``-euo pipefail``)
against the test platform, the way a newcomer runs them against ``make up``: the
test writes the platform's ``instance.json`` (its services' URLs, and its token
issuer's URL and key) into a data folder and points ``BAAN_DATA_DIR`` at it, so
``baan token`` and ``baan url`` find this platform as they find ``make up``'s.
Every call goes through curl ``--fail-with-body``: any error status stops the
walk-through and fails the test, naming the command (bash ``-x``).
"""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from platform_harness import Platform

from baan_local.cli import COMMANDS
from baan_local.instance import Layout, write_instance

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Try the first slice"


def walk_through() -> list[str]:
    """The ```bash blocks of the walk-through section, in order."""
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else None]
    return re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)


def test_the_walk_through_gets_a_token_and_uses_real_commands() -> None:
    blocks = walk_through()
    assert blocks, f"no ```bash block under {SECTION!r}"
    script = "\n".join(blocks)
    assert "baan token --client" in script
    assert "authorization: Bearer $TOKEN" in script
    # Every `baan <command>` the README mentions is one the CLI has.
    mentioned = set(re.findall(r"\bbaan ([a-z]+)\b", README.read_text()))
    assert mentioned <= set(COMMANDS), mentioned - set(COMMANDS)


@pytest.mark.e2e
@pytest.mark.kafka
@pytest.mark.postgres
def test_the_first_slice_runs_as_written(platform: Platform, tmp_path: Path) -> None:
    # scripts/install.sh installs jq (make test runs it first); a missing tool is a failure.
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    assert not missing, f"the walk-through needs {missing}: run scripts/install.sh"
    layout = Layout(tmp_path / "instance")
    key_file = layout.issuer_key
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(
        platform.issuer.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    write_instance(
        layout,
        services={name: process.url for name, process in platform.services.items()},
        issuer={
            "url": platform.issuer.issuer,
            "key_file": str(key_file),
            "audience": platform.issuer.audience,
        },
    )
    script = tmp_path / "walk-through.sh"
    script.write_text("\n".join(walk_through()))
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BAAN_") and key != "TOKEN"
    }
    environment["BAAN_DATA_DIR"] = str(layout.data_dir)
    command = ["bash", "-euo", "pipefail", "-x", str(script)]
    finished = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    transcript = f"$ {shlex.join(command)}\n{finished.stdout}\n--- stderr ---\n{finished.stderr}"
    assert finished.returncode == 0, transcript
    # The last two polls printed the paid grant and the report's row.
    assert '"outstanding_satang": 0' in finished.stdout, transcript
    assert '"completed": 1' in finished.stdout, transcript
