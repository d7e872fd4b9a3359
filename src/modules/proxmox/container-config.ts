/**
 * The container settings proxmox_lxc manages, normalised so that what the module asks for and what
 * GET /nodes/{node}/lxc/{vmid}/config returns compare equal when they mean the same thing.
 *
 * Representation in PVE (pct.conf(5), API viewer for /nodes/{node}/lxc/{vmid}/config):
 * - booleans are 1/0 and absent means 0 (onboot, unprivileged); memory and swap default to 512 (MB);
 * - rootfs is "STORAGE:VOLUME,size=8G"; net0 is a property list "name=eth0,bridge=vmbr0,hwaddr=..,ip=CIDR,gw=..,type=veth";
 * - tags are separated by ";" (",", " " also accepted on input); nameserver is a space-separated list;
 * - ostemplate and ssh-public-keys exist at creation only and are not part of the stored config,
 *   so they cannot be compared later (docs/provisioning.md says so).
 */
import { TaskError } from '../../errors.js';
import type { PveParams } from './api-client.js';
import type { ResolvedArgs } from './args.js';

/** key -> normalised value; "" means "not set". */
export type Listing = Record<string, string>;

/** Order of keys in listings and messages. */
export const MANAGED_KEYS = ['hostname', 'cores', 'memory', 'swap', 'rootfs', 'net0', 'nameserver', 'onboot', 'unprivileged', 'tags'] as const;
type Key = (typeof MANAGED_KEYS)[number];

/** PVE's value when a key is absent from the config. */
const PVE_DEFAULTS: Partial<Record<Key, string>> = { memory: '512', swap: '512', onboot: '0', unprivileged: '0' };

/** Keys that a running container takes only at its next start (PVE writes them into the CT when it starts). */
const APPLIED_AT_START: ReadonlySet<Key> = new Set(['hostname', 'net0', 'nameserver']);

const bool = (v: boolean) => (v ? '1' : '0');
const list = (v: string | string[], sep = /[\s,;]+/) => (Array.isArray(v) ? v : v.split(sep)).map((x) => x.trim()).filter(Boolean);

/** net0 as PVE wants it on create (name=eth0 always). */
export function net0String(a: ResolvedArgs): string | undefined {
  if (!a.net0) return undefined;
  const parts = [`name=eth0`, `bridge=${a.net0.bridge ?? 'vmbr0'}`, `ip=${a.net0.address}`];
  if (a.net0.gateway) parts.push(`gw=${a.net0.gateway}`);
  return parts.join(',');
}

/** What the task asks for, for the keys it sets (unset arguments are not managed). */
export function desiredListing(a: ResolvedArgs): Listing {
  const out: Listing = {};
  out.hostname = a.hostname;
  if (a.cores !== undefined) out.cores = String(a.cores);
  if (a.memory !== undefined) out.memory = String(a.memory);
  if (a.swap !== undefined) out.swap = String(a.swap);
  if (a.rootfs_size !== undefined) out.rootfs = formatSize(a.rootfs_size * 1024);
  const net0 = net0String(a);
  if (net0 !== undefined) out.net0 = net0;
  if (a.nameserver !== undefined) out.nameserver = list(a.nameserver).join(' ');
  if (a.onboot !== undefined) out.onboot = bool(a.onboot);
  if (a.unprivileged !== undefined) out.unprivileged = bool(a.unprivileged);
  if (a.tags !== undefined) out.tags = [...new Set(a.tags)].sort().join(';');
  return out;
}

/** The same keys, read from a container's config as the API returns it. */
export function currentListing(cfg: Record<string, unknown>, keys: string[]): Listing {
  const out: Listing = {};
  for (const key of keys as Key[]) {
    const raw = cfg[key];
    const v = raw === undefined || raw === null ? undefined : String(raw);
    switch (key) {
      case 'rootfs': {
        const mb = v ? parseSizeMb(propList(v).size ?? '') : undefined;
        out.rootfs = mb === undefined ? '' : formatSize(mb);
        break;
      }
      case 'net0': {
        const p = v ? propList(v) : {};
        const parts = [`name=${p.name ?? ''}`, `bridge=${p.bridge ?? ''}`, `ip=${p.ip ?? ''}`];
        if (p.gw) parts.push(`gw=${p.gw}`);
        out.net0 = v ? parts.join(',') : '';
        break;
      }
      case 'tags':
        out.tags = v ? [...new Set(list(v))].sort().join(';') : '';
        break;
      case 'nameserver':
        out.nameserver = v ? list(v).join(' ') : '';
        break;
      default:
        out[key] = v ?? PVE_DEFAULTS[key] ?? '';
    }
  }
  return out;
}

/** "key: value" lines in a fixed order (what --diff shows). */
export function renderListing(l: Listing): string {
  const order = [...MANAGED_KEYS, 'status'] as string[];
  return Object.keys(l)
    .sort((x, y) => order.indexOf(x) - order.indexOf(y))
    .map((k) => `${k}: ${l[k]}\n`)
    .join('');
}

export interface ConfigChange {
  /** Keys whose value differs, in MANAGED_KEYS order. */
  changed: string[];
  /** PUT /config parameters (set). */
  set: PveParams;
  /** PUT /config `delete` list. */
  delete: string[];
  /** PUT /resize size (grow only), e.g. "16G". */
  resize?: string;
  /** Changed keys a running container applies only after a restart. */
  needRestart: string[];
}

/**
 * What must change to go from the current config to the task's. Throws TaskError for what PVE
 * cannot do in place: shrinking the root disk, switching unprivileged.
 */
export function planConfigChange(cfg: Record<string, unknown>, a: ResolvedArgs, running: boolean, vmid: number): ConfigChange {
  const want = desiredListing(a);
  const have = currentListing(cfg, Object.keys(want));
  const change: ConfigChange = { changed: [], set: {}, delete: [], needRestart: [] };
  for (const key of MANAGED_KEYS) {
    if (!(key in want) || want[key] === have[key]) continue;
    change.changed.push(key);
    if (key === 'unprivileged') {
      throw new TaskError(
        `CT ${vmid}: unprivileged is ${have.unprivileged}, the task wants ${want.unprivileged}; Proxmox fixes it when the container is created: remove the container (state: absent) and create it again`,
      );
    }
    if (key === 'rootfs') {
      const haveMb = parseSizeMb(have.rootfs) ?? 0;
      const wantMb = parseSizeMb(want.rootfs) ?? 0;
      if (wantMb < haveMb) {
        throw new TaskError(`CT ${vmid}: rootfs is ${have.rootfs}, the task wants ${want.rootfs}; Proxmox can only grow a disk (PUT /resize), never shrink it`);
      }
      change.resize = want.rootfs;
      continue;
    }
    if (want[key] === '') change.delete.push(key);
    else if (key === 'net0') change.set.net0 = mergeNet0(String(cfg.net0 ?? ''), want.net0);
    else change.set[key] = want[key];
    if (running && APPLIED_AT_START.has(key)) change.needRestart.push(key);
  }
  return change;
}

/**
 * Keep what PVE generated (hwaddr, type, firewall...) and replace name/bridge/ip/gw: a net0 without
 * hwaddr would make PVE generate a new MAC address.
 */
function mergeNet0(current: string, wanted: string): string {
  const merged = { ...propList(current) };
  delete merged.gw;
  Object.assign(merged, propList(wanted));
  return Object.entries(merged)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** "local-lvm:vm-100-disk-0,size=8G" -> { "": "local-lvm:vm-100-disk-0", size: "8G" } */
export function propList(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) out[''] = part;
    else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** "8G" / "512M" / "1T" / "8" (GB) -> MB */
export function parseSizeMb(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] || 'G').toUpperCase();
  const factor = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[unit] ?? 1024;
  return n * factor;
}

export function formatSize(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}G` : `${mb}M`;
}

/** The template to create from: required only when the container does not exist yet. */
export function requireTemplate(a: ResolvedArgs): string {
  if (!a.ostemplate) throw new TaskError(`CT ${a.hostname} does not exist and ostemplate is not set: cannot create it`);
  return a.ostemplate;
}

/** POST /nodes/{node}/lxc parameters (API viewer: "Create or restore a container"). */
export function createParams(a: ResolvedArgs, vmid: number): PveParams {
  const keys = a.ssh_public_keys === undefined ? undefined : list(a.ssh_public_keys, /\n+/).join('\n') || undefined;
  const want = desiredListing(a);
  return {
    vmid,
    hostname: a.hostname,
    ostemplate: requireTemplate(a),
    ...(a.rootfs_size !== undefined ? { rootfs: `${a.storage}:${a.rootfs_size}` } : { storage: a.storage }),
    cores: a.cores,
    memory: a.memory,
    swap: a.swap,
    net0: want.net0,
    nameserver: want.nameserver || undefined,
    'ssh-public-keys': keys,
    unprivileged: a.unprivileged,
    onboot: a.onboot,
    tags: want.tags || undefined,
    start: a.state === 'started',
  };
}
