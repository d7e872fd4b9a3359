#!/usr/bin/env bash
# System packages for the tests, the lab and the bench on a Debian/Ubuntu machine (root). The one
# list is src/setup/requirements.ts; `npm test` (pretest) and `lbrun lab up` install from it too,
# so this is only needed to install everything ahead of time. Idempotent; quick when present.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -e dist/setup/host-packages.js ] || npm run build
exec node scripts/host-packages.js tests bench "$@"
