#!/usr/bin/env bash
# The config checkers the role tests run on the controller (test/roles): haproxy -c, keepalived -t
# (in a network namespace: unshare from util-linux, ip from iproute2), and curl, the health check
# binary keepalived's script security looks for. Only the binaries are wanted: no service may start
# here, so package scripts are told not to start any (policy-rc.d) while they install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
fi
trap '[ -z "$made_policy" ] || rm -f "$policy"' EXIT
sh "$(dirname "$0")/apt-install-missing.sh" deps-roles haproxy keepalived iproute2 util-linux curl psmisc
