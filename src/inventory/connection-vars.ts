/**
 * Connection settings of a host from its variables (docs/file-formats.md): lbrun_* names, with Ansible's
 * ansible_* names accepted as aliases (the lbrun_ name wins when both are set).
 */
import { isAbsolute, resolve } from 'node:path';
import { InputError, type Source } from '../errors.js';
import { renderValue } from '../vars/render.js';
import { extraVarSource } from '../vars/extra-vars.js';
import type { PlaySpec } from '../playbook/types.js';
import type { Inventory } from './types.js';
import type { ConnectionSettings } from '../connection/types.js';
import type { Vars } from '../types.js';

type Kind = 'string' | 'port' | 'count' | 'seconds' | 'boolean' | 'connection';

const ALIASES: Record<string, string> = {
  lbrun_host: 'ansible_host',
  lbrun_port: 'ansible_port',
  lbrun_user: 'ansible_user',
  lbrun_connection: 'ansible_connection',
  lbrun_ssh_key: 'ansible_ssh_private_key_file',
  lbrun_become: 'ansible_become',
  lbrun_become_user: 'ansible_become_user',
};

/**
 * `source` (e.g. the host's line in the inventory) is named in errors. Values holding `{{ }}`
 * (`ansible_host: "{{ ip }}"`) are rendered with the host's vars.
 */
/** Where a host's variable is written, as a run sees it: -e, the play's vars, else the inventory. */
export function hostVarSource(inventory: Inventory, host: string, play: Pick<PlaySpec, 'vars' | 'source'>, extraVars: Vars | undefined): (name: string) => Source | undefined {
  return (name) => extraVarSource(extraVars, name) ?? (Object.hasOwn(play.vars, name) ? play.source : inventory.hosts.get(host)?.varSources?.[name]);
}

export function connectionSettings(host: string, vars: Vars, inventoryDir: string, source?: Source, sourceOf?: (name: string) => Source | undefined): ConnectionSettings {
  const fallback: Source = source ?? { file: `host ${host}` };
  const get = <T>(name: string, kind: Kind, dflt: T): T => {
    const used = vars[name] !== undefined ? name : ALIASES[name] && vars[ALIASES[name]] !== undefined ? ALIASES[name] : undefined;
    if (used === undefined || vars[used] === null) return dflt;
    // the alias the lbrun_ name shadows must be valid too (a bad -e ansible_port is not ignored)
    const alias = ALIASES[name];
    if (used === name && alias && vars[alias] !== undefined && vars[alias] !== null) {
      const at = sourceOf?.(alias) ?? fallback;
      check(host, alias, renderValue(vars[alias], vars, at), kind, at);
    }
    // a bad value is blamed where it is written (group_vars file, -e), else on the host's line
    const where = sourceOf?.(used) ?? fallback;
    return check(host, used, renderValue(vars[used], vars, where), kind, where) as T;
  };
  const path = (name: string): string | undefined => {
    const p = get<string | undefined>(name, 'string', undefined);
    return p === undefined ? undefined : isAbsolute(p) ? p : resolve(inventoryDir, p);
  };
  return {
    kind: get<'ssh' | 'local'>('lbrun_connection', 'connection', 'ssh'),
    address: get('lbrun_host', 'string', host),
    port: get('lbrun_port', 'port', 22),
    user: get('lbrun_user', 'string', 'root'),
    privateKeyFile: path('lbrun_ssh_key'),
    knownHostsFile: path('lbrun_known_hosts'),
    jumpHost: get<string | undefined>('lbrun_jump_host', 'string', undefined),
    connectTimeout: get('lbrun_connect_timeout', 'seconds', 10),
    connectRetries: get('lbrun_connect_retries', 'count', 2),
    become: get('lbrun_become', 'boolean', false),
    becomeUser: get<string | undefined>('lbrun_become_user', 'string', undefined),
  };
}

/** The longest time a Node timer holds (2^31 - 1 ms). */
const MAX_TIMER_SECONDS = 2147483;

const EXPECTED: Record<Kind, string> = {
  string: 'a non-empty string',
  port: 'a port number (1-65535)',
  count: 'a whole number from 0 to 100',
  seconds: 'a number of seconds > 0 and at most 2147483 (24 days)',
  boolean: 'true or false',
  connection: 'one of: ssh, local',
};

function check(host: string, name: string, value: unknown, kind: Kind, where: Source): unknown {
  const v = typeof value === 'string' && kind !== 'string' && kind !== 'connection' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  const ok =
    kind === 'string'
      ? typeof v === 'string' && v !== ''
      : kind === 'connection'
        ? v === 'ssh' || v === 'local'
        : kind === 'boolean'
          ? typeof v === 'boolean'
          : kind === 'port'
            ? Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
            : kind === 'count'
              ? Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100
              : typeof v === 'number' && v > 0 && v <= MAX_TIMER_SECONDS;
  if (!ok) {
    throw new InputError(`invalid ${name} ${JSON.stringify(value)}`, where, { expected: EXPECTED[kind] });
  }
  return v;
}
