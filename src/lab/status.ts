/** `lab status`: each host (running, sshd, systemd, haproxy, keepalived, VIP) and each backend. */
import { BACKENDS, DEFAULT_HOSTS, VIP, BRIDGE } from './config.js';
import { backendGet, backendState } from './backends.js';
import { readText } from './fsutil.js';
import { execInPid, hostMemory, hostState, knownHosts, sshBanner } from './host.js';
import { keyPaths } from './keys.js';
import { linkExists } from './network.js';

export interface HostStatus {
  name: string;
  address: string | null;
  running: boolean;
  pid: number | null;
  /** sshd answers with an SSH banner on ADDRESS:22 */
  sshd: boolean;
  /** `systemctl is-system-running` (running, degraded, starting, ...) or null when not running */
  system: string | null;
  /** `systemctl is-active` of the unit, or "not-installed" */
  haproxy: string | null;
  keepalived: string | null;
  /** the host holds the VIP on eth0 */
  vip: boolean;
  /** PSS of all its processes, KiB */
  memoryKiB: number | null;
}

export interface BackendStatus {
  name: string;
  address: string;
  running: boolean;
  /** GET /readyz over TLS answered 200 */
  ready: boolean;
}

export interface LabStatus {
  /** every default host and backend is running and ready */
  up: boolean;
  bridge: boolean;
  vip: string;
  /** the host that holds the VIP (first one if, wrongly, several do) */
  vipHolder: string | null;
  vipHolders: string[];
  hosts: HostStatus[];
  backends: BackendStatus[];
}

async function hostStatus(name: string): Promise<HostStatus> {
  const st = await hostState(name);
  const address = st.address ?? DEFAULT_HOSTS.find((h) => h.name === name)?.address ?? null;
  const out: HostStatus = {
    name, address, running: st.running, pid: st.pid, sshd: false, system: null,
    haproxy: null, keepalived: null, vip: false, memoryKiB: null,
  };
  if (!st.running || !st.pid) return out;
  const script = [
    'echo "system=$(systemctl is-system-running 2>/dev/null)"',
    'for u in haproxy keepalived; do echo "$u=$(systemctl show -p LoadState --value $u.service) $(systemctl is-active $u.service 2>/dev/null)"; done',
    'ip -4 -o addr show dev eth0',
  ].join('; ');
  const [r, banner, mem] = await Promise.all([
    execInPid(st.pid, script, { timeoutMs: 10_000 }),
    address ? sshBanner(address) : Promise.resolve(null),
    hostMemory(name),
  ]);
  out.sshd = !!banner;
  out.memoryKiB = mem.pssKiB;
  for (const line of r.stdout.split('\n')) {
    const m = /^(system|haproxy|keepalived)=(.*)$/.exec(line);
    if (m?.[1] === 'system') out.system = m[2].trim() || null;
    else if (m) {
      const [load, active] = m[2].trim().split(/\s+/);
      out[m[1] as 'haproxy' | 'keepalived'] = load === 'not-found' ? 'not-installed' : (active ?? null);
    }
    if (line.includes(` inet ${VIP}/`)) out.vip = true;
  }
  return out;
}

async function backendStatus(name: string, ca: string): Promise<BackendStatus> {
  const st = await backendState(name);
  const ready = st.running
    ? await backendGet(st.address, '/readyz', ca, 1500).then((r) => r.status === 200, () => false)
    : false;
  return { name, address: st.address, running: st.running, ready };
}

export async function labStatus(): Promise<LabStatus> {
  const names = [...new Set([...DEFAULT_HOSTS.map((h) => h.name), ...(await knownHosts())])];
  const ca = (await readText(keyPaths().caCert)) ?? '';
  const [hosts, backends, bridge] = await Promise.all([
    Promise.all(names.map(hostStatus)),
    Promise.all(BACKENDS.map((b) => backendStatus(b.name, ca))),
    linkExists(BRIDGE),
  ]);
  const vipHolders = hosts.filter((h) => h.vip).map((h) => h.name);
  const defaults = new Set(DEFAULT_HOSTS.map((h) => h.name));
  return {
    up:
      bridge &&
      hosts.filter((h) => defaults.has(h.name)).every((h) => h.running && h.sshd) &&
      backends.every((b) => b.ready),
    bridge,
    vip: VIP,
    vipHolder: vipHolders[0] ?? null,
    vipHolders,
    hosts,
    backends,
  };
}

/** The status as a table for people. */
export function formatStatus(s: LabStatus): string {
  const rows: string[][] = [['HOST', 'ADDRESS', 'STATE', 'SSHD', 'SYSTEMD', 'HAPROXY', 'KEEPALIVED', 'VIP', 'MEMORY']];
  for (const h of s.hosts) {
    rows.push([
      h.name,
      h.address ?? '-',
      h.running ? 'running' : 'stopped',
      h.running ? (h.sshd ? 'up' : 'down') : '-',
      h.system ?? '-',
      h.haproxy ?? '-',
      h.keepalived ?? '-',
      h.vip ? s.vip : '-',
      h.memoryKiB !== null ? `${Math.round(h.memoryKiB / 1024)} MiB` : '-',
    ]);
  }
  const table = (t: string[][]): string => {
    const w = t[0].map((_, i) => Math.max(...t.map((r) => r[i].length)));
    return t.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
  };
  const b: string[][] = [['BACKEND', 'ADDRESS', 'STATE']];
  for (const x of s.backends) {
    b.push([x.name, `${x.address}:6443`, x.ready ? 'up (readyz ok)' : x.running ? 'running, not ready' : 'down']);
  }
  const vip =
    s.vipHolders.length > 1
      ? `VIP ${s.vip}: held by SEVERAL hosts: ${s.vipHolders.join(', ')}`
      : `VIP ${s.vip}: ${s.vipHolder ? `held by ${s.vipHolder}` : 'held by no host'}`;
  const bridge = s.bridge ? '' : `\nbridge ${BRIDGE}: missing`;
  return `${table(rows)}\n\n${vip}${bridge}\n\n${table(b)}\n`;
}
