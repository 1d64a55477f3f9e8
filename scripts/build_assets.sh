#!/usr/bin/env bash
# Install the front-end packages exactly as package-lock.json pins them and copy the files the
# pages load into the static tree (ignored by git: they always come from the registry).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.kenes-installed ] || [ package-lock.json -nt node_modules/.kenes-installed ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.kenes-installed
fi
mkdir -p src/kenes/static/vendor
cp node_modules/htmx.org/dist/htmx.min.js src/kenes/static/vendor/htmx.min.js
# Minutes PDFs embed DejaVu Sans: it covers the Kazakh and Russian Cyrillic letters (ә ғ қ ң ө ұ ү һ і).
mkdir -p src/kenes/static/vendor/fonts
cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf src/kenes/static/vendor/fonts/DejaVuSans.ttf
cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf src/kenes/static/vendor/fonts/DejaVuSans-Bold.ttf
