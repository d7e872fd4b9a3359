/**
 * The variables a task sees on a host (docs/file-formats.md, precedence low to high): role defaults < inventory
 * vars (groups by depth, then the host) < play vars (vars_files then vars) < role vars < task vars <
 * registered results < the task's role params (its roles: entry's vars, a dependency's parameters) <
 * extra vars; then the magic variables of docs/file-formats.md, which nothing overrides. Role
 * defaults/vars of every role of the play are visible (Ansible-like); the task's own
 * role comes last within its layer. `secret_vars` lists of every layer are united.
 * Called per task per host: the inventory/play layers are cached per (play, host, role).
 */
import { dirname } from 'node:path';
import type { Vars } from '../types.js';
import type { Inventory } from '../inventory/types.js';
import type { PlaySpec, RoleSpec, TaskSpec } from '../playbook/types.js';
import { matchHosts } from '../inventory/pattern.js';
import { addFactRefs } from './facts.js';

export interface TaskVarsArgs {
  inventory: Inventory;
  host: string;
  play: PlaySpec;
  task?: TaskSpec;
  registered?: Vars;
  extraVars?: Vars;
  /** Hosts of the play (default: the play's pattern matched in the inventory). */
  playHosts?: string[];
  check?: boolean;
}

interface InventoryMagic {
  groups: Record<string, string[]>;
  hostvars: Record<string, Vars>;
  /** LBRUN_* environment variables, read once per inventory (a run): process.env is slow to scan. */
  env: Vars;
}

const inventoryCache = new WeakMap<Inventory, InventoryMagic>();
const layerCache = new WeakMap<PlaySpec, WeakMap<object, Map<string, { vars: Vars; secrets: string[] }>>>();
const NO_ROLE = {};
const playHostsCache = new WeakMap<PlaySpec, WeakMap<Inventory, string[]>>();

/** Variables lbrun sets on every task and nothing overrides (set_fact of one is an input error). */
export const MAGIC_VARS: readonly string[] = [
  ...['inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names', 'hostvars', 'play_hosts', 'lbrun_check_mode', 'env'],
  ...['playbook_dir', 'inventory_dir', 'inventory_file', 'role_path', 'role_name'],
];

export function taskVars(args: TaskVarsArgs): Vars {
  const { inventory, host, play, task } = args;
  const base = playLayers(inventory, host, play, task?.role);
  const params = task?.role?.params;
  const out: Vars = { ...base.vars, ...(task?.vars ?? {}), ...(args.registered ?? {}), ...(params ?? {}), ...(args.extraVars ?? {}) };
  const secrets = union(base.secrets, task?.vars, args.registered, params, args.extraVars);
  if (secrets.length) out.secret_vars = secrets;
  const magic = inventoryMagic(inventory);
  const hostSpec = inventory.hosts.get(host);
  out.inventory_hostname = host;
  out.inventory_hostname_short = host.split('.')[0];
  out.playbook_dir = play.playbookDir;
  out.inventory_file = inventory.file;
  out.inventory_dir = dirname(inventory.file);
  if (task?.role) {
    out.role_path = task.role.dir;
    out.role_name = task.role.name;
  }
  out.groups = magic.groups;
  out.group_names = (hostSpec?.groups ?? []).filter((g) => g !== 'all');
  out.hostvars = magic.hostvars;
  out.play_hosts = args.playHosts ?? defaultPlayHosts(inventory, play);
  out.lbrun_check_mode = args.check === true;
  out.ansible_check_mode = out.lbrun_check_mode;
  out.env = magic.env;
  addFactRefs(out, inventory, host);
  return out;
}

/** role defaults < inventory < play vars < role vars, cached. */
function playLayers(inventory: Inventory, host: string, play: PlaySpec, role: RoleSpec | undefined): { vars: Vars; secrets: string[] } {
  let perPlay = layerCache.get(play);
  if (!perPlay) {
    perPlay = new WeakMap();
    layerCache.set(play, perPlay);
  }
  // a role of include_role is not among the play's roles: its vars are seen by its own tasks only
  const roleKey = role ?? NO_ROLE;
  let perRole = perPlay.get(roleKey);
  if (!perRole) {
    perRole = new Map();
    perPlay.set(roleKey, perRole);
  }
  const key = `${inventory.file}\0${host}`;
  const hit = perRole.get(key);
  if (hit) return hit;
  const ordered = role ? [...play.roles.filter((r) => r !== role), role] : play.roles;
  const layers: Vars[] = [
    ...ordered.map((r) => r.defaults),
    inventory.hosts.get(host)?.vars ?? {},
    play.vars,
    ...ordered.map((r) => r.vars),
  ];
  const vars = Object.assign({}, ...layers) as Vars;
  const entry = { vars, secrets: union([], ...layers) };
  perRole.set(key, entry);
  return entry;
}

function union(first: string[], ...layers: Array<Vars | undefined>): string[] {
  const out = new Set(first);
  for (const l of layers) {
    const s = l?.secret_vars;
    if (Array.isArray(s)) s.forEach((x) => out.add(String(x)));
  }
  return [...out];
}

function inventoryMagic(inventory: Inventory): InventoryMagic {
  let m = inventoryCache.get(inventory);
  if (!m) {
    const groups: Record<string, string[]> = {};
    for (const g of inventory.groups.keys()) groups[g] = matchHosts(inventory, g);
    const hostvars: Record<string, Vars> = {};
    for (const [name, h] of inventory.hosts) {
      hostvars[name] = { inventory_hostname: name, ...h.vars };
      addFactRefs(hostvars[name], inventory, name);
    }
    m = { groups, hostvars, env: lbrunEnv() };
    inventoryCache.set(inventory, m);
  }
  return m;
}

function defaultPlayHosts(inventory: Inventory, play: PlaySpec): string[] {
  let perPlay = playHostsCache.get(play);
  if (!perPlay) {
    perPlay = new WeakMap();
    playHostsCache.set(play, perPlay);
  }
  let hosts = perPlay.get(inventory);
  if (!hosts) {
    hosts = matchHosts(inventory, play.hosts, play.hostsSource);
    perPlay.set(inventory, hosts);
  }
  return hosts;
}

/** Environment variables whose names start with LBRUN_. */
function lbrunEnv(): Vars {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LBRUN_')));
}
