/**
 * Fixed facts of the lab: names, addresses, directories. Other code (inventory/lab.yaml, tests)
 * depends on these values, so they live in one place.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const BRIDGE = 'lbrun0';
export const BRIDGE_ADDRESS = '10.213.0.1';
export const PREFIX = 24;
export const SUBNET = '10.213.0.';
export const VIP = '10.213.0.210';
/** Every link the lab creates on the controller besides the bridge starts with this. */
export const VETH_PREFIX = 'lbv-';

export interface HostSpec {
  name: string;
  address: string;
}

export const DEFAULT_HOSTS: HostSpec[] = [
  { name: 'lb-01', address: '10.213.0.11' },
  { name: 'lb-02', address: '10.213.0.12' },
  { name: 'lb-03', address: '10.213.0.13' },
];

export interface BackendSpec {
  name: string;
  address: string;
  /** controller-side veth name */
  veth: string;
}

export const BACKENDS: BackendSpec[] = [1, 2, 3].map((n) => ({
  name: `k3s-lab-cp-0${n}`,
  address: `10.213.0.20${n}`,
  veth: `${VETH_PREFIX}cp0${n}`,
}));
export const BACKEND_PORT = 6443;

/** Machine-wide directories (the lab is one per machine: it owns the bridge lbrun0). */
export const CACHE_DIR = '/var/cache/lbrun-lab';
export const LIB_DIR = '/var/lib/lbrun-lab';
export const HOSTS_DIR = path.join(LIB_DIR, 'hosts');
export const RUN_DIR = '/run/lbrun-lab';

/** The repository (package) root: src/lab/ and dist/lab/ are both two levels below it. */
export const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** The git-ignored folder with the lab's keys: `.lab/` at the repository root (LBRUN_LAB_DIR overrides). */
export function labKeysDir(): string {
  return process.env.LBRUN_LAB_DIR ? path.resolve(process.env.LBRUN_LAB_DIR) : path.join(PACKAGE_ROOT, '.lab');
}

/** Check a host name and address for use in the lab. Throws with a clear message. */
export function checkHostSpec(spec: HostSpec): void {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(spec.name)) {
    throw new Error(`lab host name "${spec.name}" is invalid: use lowercase letters, digits and "-" (max 31)`);
  }
  const m = /^10\.213\.0\.(\d{1,3})$/.exec(spec.address);
  const last = m ? Number(m[1]) : NaN;
  if (!m || last < 2 || last > 254 || spec.address === VIP || BACKENDS.some((b) => b.address === spec.address)) {
    throw new Error(
      `lab host address "${spec.address}" is invalid: use 10.213.0.2-254, not the VIP ${VIP} nor a backend address`,
    );
  }
}

/** Controller-side veth name for a host: at most 15 characters (IFNAMSIZ). */
export function vethName(hostName: string): string {
  const short = hostName.replace(/[^a-z0-9]/g, '');
  if (short.length <= 11) return VETH_PREFIX + short;
  // long names: a stable short digest keeps the name unique enough and under the limit
  let h = 0;
  for (const c of hostName) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return VETH_PREFIX + h.toString(36).padStart(7, '0').slice(0, 7) + short.slice(-4);
}
