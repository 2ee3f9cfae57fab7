"""Deploy checks: the images, the compose file and the Helm chart, offline.

Their tools (helm, kubernetes-validate, hadolint) live in .tools/, installed by
scripts/install-test-deps.sh through tests/deploy/install-tools.sh.
"""

import sys
from pathlib import Path

# The helper module beside these tests (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))
