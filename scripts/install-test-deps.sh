#!/usr/bin/env bash
# The tests start their own PostgreSQL server from its binaries: install them if missing.
set -euo pipefail
# The deploy checks (tests/deploy): helm, kubernetes-validate, hadolint into .tools/.
"$(dirname "$0")/../tests/deploy/install-tools.sh"
if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps.sh: please install the PostgreSQL server (Debian: postgresql)" >&2
  exit 1
fi
echo "Installing the PostgreSQL server binaries ..."
apt-get update -qq
# policy-rc.d stops the package from starting a system cluster we do not use.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
rm -f /usr/sbin/policy-rc.d
