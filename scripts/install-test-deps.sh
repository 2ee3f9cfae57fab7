#!/usr/bin/env bash
# What `make test` needs beyond the Python workspace, installed only when missing:
# the PostgreSQL server binaries (the tests start their own server), Debian's
# Chromium (the dashboard test), a Java 21+ for Keycloak (tests/identity; Kafka's
# 17 is too old for Keycloak 26), and the deploy checkers (helm, kubernetes-validate,
# hadolint) into .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/deploy/install-tools.sh

have_postgres() {
  { command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; } ||
    ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}

# A Java of at least 21: JAVA_HOME or any JDK/JRE under /usr/lib/jvm (where Debian's
# packages and Adoptium's Temurin install), as baan_local.keycloak looks for it.
have_java21() {
  local home version
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
    version=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$home/release")
    [ "${version:-0}" -ge 21 ] && return 0
  done
  return 1
}

# The newest Java 21+ runtime this system's apt offers (Debian 13 has them; 12 stops at 17).
java_package() {
  local package
  for package in openjdk-25-jre-headless openjdk-21-jre-headless; do
    if apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      echo "$package"
      return
    fi
  done
}

missing=()
have_postgres || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! have_java21; then
  java=$(java_package)
  if [ -z "$java" ]; then
    echo "install-test-deps.sh: Keycloak (tests/identity) needs Java 21+ and apt offers none here:" \
      "install Eclipse Temurin 21+ (adoptium.net) under /usr/lib/jvm or set JAVA_HOME" >&2
    exit 1
  fi
  missing+=("$java")
fi
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
