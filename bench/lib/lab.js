/**
 * Scenario A's hosts: the lab's lb-01..03 (src/lab through dist/). The bench holds the lab the way
 * lab-using tests do (src/lab/hold-lock.ts: a kernel flock on /run/lbrun-lab-tests.lock), so no
 * test runs against the lab while the bench re-creates hosts, and it waits for one that does. `freshHosts` gives cold hosts: each host is removed (its overlay disk and host key
 * forgotten) and booted again from the cached base, packages not installed.
 */
import { DEFAULT_HOSTS, VIP, ensureHost, hostExec, labStatus, labUp, removeHost, setQuiet } from '../../dist/lab/index.js';
import { LAB_LOCK, holdLabLock, releaseLabLock } from '../../dist/lab/hold-lock.js';

/** Take the lab for this process (released at exit); waits while a test process holds it. */
export async function holdLab(log, timeoutMs = 30 * 60_000) {
  const waiting = setTimeout(() => log(`waiting for the lab: another process holds ${LAB_LOCK}`), 1000);
  try {
    await holdLabLock(timeoutMs);
  } finally {
    clearTimeout(waiting);
  }
}

/** Give the lab back (scenario B does not use it). */
export function releaseLab() {
  releaseLabLock();
}

export const LAB_HOSTS = DEFAULT_HOSTS;

/** The lab up (built on first use, ~2 min), quietly. */
export async function ensureLab() {
  setQuiet(true);
  if ((await labStatus()).up) return;
  const s = await labUp();
  if (!s.up) throw new Error(`the lab did not come up: ${JSON.stringify(s.hosts)}`);
}

/** Re-create lb-01..03 from the base: nothing installed, nothing configured. Returns ms taken. */
export async function freshHosts() {
  const t0 = Date.now();
  await Promise.all(LAB_HOSTS.map((h) => removeHost(h.name)));
  await Promise.all(LAB_HOSTS.map((h) => ensureHost(h)));
  return Date.now() - t0;
}

/**
 * What the playbooks are responsible for on a host, as one text: every file and directory the roles
 * write (sha256 of files, mode, owner; absent when missing), what else lies beside them (a backup
 * left behind, a stray file), packages, units (enabled, active, haproxy.service's drop-ins as systemd
 * loaded them), the haproxy state file keepalived tracks, whether this node holds the VIP, and the
 * live sysctl.
 */
export const FINGERPRINT_PATHS = [
  '/etc/sysctl.d/60-lbrun.conf',
  '/usr/local/sbin/lbrun-haproxy-reload',
  '/usr/local/sbin/lbrun-haproxy-preflight',
  '/etc/haproxy/haproxy.cfg',
  '/usr/local/sbin/lbrun-keepalived-config-test',
  '/etc/tmpfiles.d/lbrun-vrrp.conf',
  '/run/lbrun',
  '/run/lbrun/haproxy-stopped',
  '/etc/systemd/system/haproxy.service.d',
  '/etc/systemd/system/haproxy.service.d/lbrun-vrrp.conf',
  '/usr/local/sbin/lbrun-vrrp-masters',
  '/etc/keepalived/keepalived.conf',
];
const FINGERPRINT = [
  `for f in ${FINGERPRINT_PATHS.join(' ')}; do`,
  '  if [ -d "$f" ]; then echo "$f dir $(stat -c "%a %U:%G" "$f")";',
  '  elif [ -e "$f" ]; then echo "$f $(stat -c "%a %U:%G" "$f") $(sha256sum < "$f" | cut -c1-64)"; else echo "$f absent"; fi',
  'done',
  'for d in /etc/haproxy /etc/keepalived /usr/local/sbin /etc/systemd/system/haproxy.service.d /run/lbrun; do echo "$d: $(ls -A "$d" 2>/dev/null | tr "\n" " ")"; done',
  "dpkg-query -W -f '${Package} ${db:Status-Status}\n' haproxy keepalived curl psmisc ca-certificates 2>&1",
  'for u in haproxy keepalived; do echo "$u $(systemctl is-enabled $u 2>&1) $(systemctl is-active $u 2>&1)"; done',
  'echo "haproxy.service drop-ins: $(systemctl show -p DropInPaths --value haproxy.service) reload needed: $(systemctl show -p NeedDaemonReload --value haproxy.service)"',
  `echo "VIP held: $(ip -4 -o addr show | grep -c ' ${VIP}/' || true)"`,
  'echo "net.ipv4.ip_nonlocal_bind $(sysctl -n net.ipv4.ip_nonlocal_bind)"',
].join('\n');

/** Per host, the fingerprint lines. */
export async function fingerprints() {
  const out = {};
  for (const h of LAB_HOSTS) {
    const r = await hostExec(h.name, FINGERPRINT, { timeoutMs: 30_000 });
    out[h.name] = r.stdout.trim().split('\n');
  }
  return out;
}

/** Lines naming each host line that differs between two fingerprints. */
export function compareFingerprints(a, b, labels = ['lbrun', 'ansible']) {
  const diffs = [];
  for (const h of Object.keys(a)) {
    const x = a[h] ?? [];
    const y = b[h] ?? [];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] !== y[i]) diffs.push(`${h}: ${labels[0]} "${x[i] ?? ''}" vs ${labels[1]} "${y[i] ?? ''}"`);
    }
  }
  return diffs;
}
