#!/usr/bin/env bash
# System packages the tests need on a fresh Debian 12 machine. Idempotent and quick when present.
set -euo pipefail
for f in .ci/deps-*.sh; do [ -e "$f" ] && bash "$f"; done
