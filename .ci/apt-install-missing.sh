#!/bin/sh
# Install those of the named Debian packages that are not installed yet (quick when all are).
# Usage: .ci/apt-install-missing.sh LABEL PACKAGE...   (root; waits for apt's locks rather than failing)
set -eu
label=$1; shift
missing=""
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "$label: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "$label: needs root to install$missing" >&2
  exit 1
fi
echo "$label: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Other tools may hold apt's locks for a while: wait for them instead of failing.
i=0
until apt-get -o DPkg::Lock::Timeout=300 update -qq; do
  i=$((i + 1)); [ "$i" -lt 30 ] || exit 1; sleep 5
done
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
