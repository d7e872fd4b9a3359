#!/bin/sh
# Packages the connection and module tests need: a real sshd on loopback and sudo for become tests.
set -eu
exec sh "$(dirname "$0")/apt-install-missing.sh" deps-modules openssh-server openssh-client sudo passwd
