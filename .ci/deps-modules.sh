#!/bin/sh
# Packages the connection and module tests need: a real sshd on loopback and sudo for become tests.
set -eu
PKGS="openssh-server openssh-client sudo passwd"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "deps-modules: all present"
  exit 0
fi
echo "deps-modules: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
