#!/bin/sh
# Install what `lbrun lab` needs on a Debian 12 controller. Idempotent; quick when already installed.
set -eu
PKGS="debootstrap dpkg-dev openssh-client openssl iproute2 util-linux psmisc procps ca-certificates curl gzip"
if [ "$(id -u)" != 0 ]; then
  echo "lab-deps: needs root" >&2
  exit 1
fi
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "lab-deps: all present"
  exit 0
fi
echo "lab-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Other tools may hold apt's locks for a while: wait for them instead of failing.
i=0
until apt-get -o DPkg::Lock::Timeout=300 update -qq; do
  i=$((i + 1)); [ "$i" -lt 30 ] || exit 1; sleep 5
done
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
