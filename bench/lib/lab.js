/**
 * Scenario A's hosts: the lab's lb-01..03 (src/lab through dist/). The bench holds the lab the way
 * lab-using tests do (src/lab/hold-lock.ts: a kernel flock on /run/lbrun-lab-tests.lock), so no
 * test runs against the lab while the bench re-creates hosts, and it waits for one that does. `freshHosts` gives cold hosts: each host is removed (its overlay disk and host key
 * forgotten) and booted again from the cached base, packages not installed.
 */
import { DEFAULT_HOSTS, ensureHost, hostExec, labStatus, labUp, removeHost, setQuiet } from '../../dist/lab/index.js';
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

/** What the playbooks are responsible for on a host, as one text: hashes, modes, packages, units. */
const FINGERPRINT = [
  'for f in /etc/haproxy/haproxy.cfg /etc/keepalived/keepalived.conf /usr/local/sbin/lbrun-keepalived-config-test /etc/sysctl.d/60-lbrun.conf; do',
  '  if [ -e "$f" ]; then echo "$f $(stat -c "%a %U:%G" "$f") $(sha256sum < "$f" | cut -c1-64)"; else echo "$f absent"; fi',
  'done',
  "dpkg-query -W -f '${Package} ${db:Status-Status}\\n' haproxy keepalived curl psmisc ca-certificates 2>&1",
  'for u in haproxy keepalived; do echo "$u $(systemctl is-enabled $u 2>&1) $(systemctl is-active $u 2>&1)"; done',
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
