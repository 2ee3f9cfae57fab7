#!/usr/bin/env bash
# What `make test` needs beyond the Python workspace, installed only when missing:
# the PostgreSQL server binaries (the tests start their own server), Debian's
# Chromium (the dashboard test), and the deploy checkers (helm, kubernetes-validate,
# hadolint) into .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/deploy/install-tools.sh

have_postgres() {
  { command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; } ||
    ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}

missing=()
have_postgres || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps.sh: please install (Debian packages): ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} ..."
apt-get update -qq
# policy-rc.d stops the postgresql package from starting a system cluster we do not use.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
rm -f /usr/sbin/policy-rc.d
