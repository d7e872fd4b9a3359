#!/bin/sh
# Install what `lbrun lab` needs on a Debian 12 controller. Idempotent; quick when already installed.
set -eu
exec sh "$(dirname "$0")/apt-install-missing.sh" lab-deps \
  debootstrap dpkg-dev openssh-client openssl iproute2 util-linux psmisc procps ca-certificates curl gzip
