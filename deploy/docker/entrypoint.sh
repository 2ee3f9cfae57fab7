#!/bin/sh
# Entrypoint of every Baan service image.
#   serve    (default) uvicorn on :$PORT with the service's app factory
#   migrate  alembic upgrade head against <SERVICE>_DATABASE_URL
#   anything else is executed as given (e.g. `baan-dlq list`).
#
# CloudNativePG's generated secret `<cluster>-app` holds `uri` as
# postgresql://user:pass@host:5432/db. The services use SQLAlchemy's asyncpg
# driver, so a plain postgres URL is rewritten to postgresql+asyncpg:// here.
set -eu

service="${BAAN_SERVICE:?BAAN_SERVICE is not set}"
var="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"
url="$(printenv "$var" || true)"
case "$url" in
  postgresql://*) url="postgresql+asyncpg://${url#postgresql://}" ;;
  postgres://*) url="postgresql+asyncpg://${url#postgres://}" ;;
esac
if [ -n "$url" ]; then export "$var=$url"; fi

cmd="${1:-serve}"
case "$cmd" in
  serve)
    shift || true
    exec uvicorn --factory "${service}.main:create_app" \
      --host 0.0.0.0 --port "${PORT:-8000}" \
      --timeout-graceful-shutdown "${GRACEFUL_SHUTDOWN_SECONDS:-25}" \
      --no-access-log --proxy-headers --forwarded-allow-ips '*' "$@"
    ;;
  migrate)
    shift || true
    exec alembic -c /app/alembic.ini upgrade head "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
