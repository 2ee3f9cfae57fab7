#!/usr/bin/env bash
# Reporting's dashboard serves its own assets (no CDN, nothing fetched at run time):
# Apache ECharts (Apache-2.0) for the charts, the Sarabun Thai web font (OFL-1.1,
# @fontsource/sarabun) and Thailand's province outlines (@svg-maps/thailand, CC-BY-4.0),
# all pinned in services/reporting/reporting/dashboard/assets/package-lock.json. `npm ci` (the npm registry, at build time) and a copy into the package's
# static/vendor (gitignored), which GET /dashboard/assets/... serves. Skipped when the
# copy is newer than the lock file; without npm the dashboard still works, unstyled
# fonts, no charts and no map.
set -euo pipefail
cd "$(dirname "$0")/../services/reporting"
lock=reporting/dashboard/assets/package-lock.json
vendor=reporting/dashboard/static/vendor
if [ -f "$vendor/.built" ] && [ "$vendor/.built" -nt "$lock" ]; then exit 0; fi
if ! command -v npm >/dev/null; then
  echo "dashboard assets: npm not found; the dashboard falls back to system fonts, no charts" >&2
  exit 0
fi
(cd reporting/dashboard/assets && npm ci --no-audit --no-fund --loglevel=error --silent)
rm -rf "$vendor" && mkdir -p "$vendor/fonts"
modules=reporting/dashboard/assets/node_modules
cp "$modules/echarts/dist/echarts.min.js" "$vendor/echarts.min.js"
cp "$modules/echarts/LICENSE" "$vendor/echarts.LICENSE"
# Province outlines (CC-BY-4.0: attributed on the page and in the README); the page
# gets them by official province code from reporting.dashboard.provinces.
cp "$modules/@svg-maps/thailand/thailand.svg" "$vendor/thailand.svg"
cp "$modules/@svg-maps/thailand/LICENSE.md" "$vendor/thailand.LICENSE.md"
for subset in thai latin; do
  for weight in 400 700; do
    cp "$modules/@fontsource/sarabun/files/sarabun-$subset-$weight-normal.woff2" "$vendor/fonts/"
  done
done
cp "$modules/@fontsource/sarabun/LICENSE" "$vendor/fonts/sarabun.LICENSE"
touch "$vendor/.built"
