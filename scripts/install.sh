#!/usr/bin/env bash
# Installs everything the platform needs on a fresh machine, and nothing twice:
# a JDK and Maven (for the Kafka broker) if missing, uv, the Python workspace
# (.venv, from uv.lock), and the Apache Kafka jars from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "install.sh: please install: $*" >&2
    exit 1
  fi
  if [ ! -f /tmp/.baan-apt-updated ]; then
    apt-get update -qq && touch /tmp/.baan-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v java >/dev/null || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null || apt_install maven
# jq: the README's walk-through reads JSON answers with it (tests/e2e/test_readme.py runs it).
command -v jq >/dev/null || apt_install jq
command -v python3.11 >/dev/null || apt_install python3.11 python3.11-venv

if command -v uv >/dev/null; then
  UV=$(command -v uv)
else
  if [ ! -x .tools/bin/uv ]; then
    python3.11 -m venv .tools
    .tools/bin/pip install -q --disable-pip-version-check uv
  fi
  UV=.tools/bin/uv
fi
# The system trust store: registries may sit behind a proxy with its own CA.
export UV_NATIVE_TLS=1
UV_PYTHON_DOWNLOADS=never "$UV" sync --locked --python python3.11 -q

if ! ls deploy/kafka/target/dependency/kafka_2.13-*.jar >/dev/null 2>&1; then
  echo "Fetching the Apache Kafka broker from Maven Central ..."
  (cd deploy/kafka && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime)
fi
scripts/dashboard-assets.sh
