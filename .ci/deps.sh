#!/usr/bin/env bash
# System packages the tests need on a fresh Debian 12 machine. Idempotent and quick when present.
# Each part of the project lists its own packages in .ci/deps-*.sh / .ci/lab-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
for f in .ci/lab-deps.sh .ci/deps-*.sh; do
  [ -e "$f" ] || continue
  echo "-- $f"
  bash "$f"
done
