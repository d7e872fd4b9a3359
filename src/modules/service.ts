/**
 * service (systemd): started/stopped/restarted/reloaded, enabled, daemon_reload. One round trip for
 * facts (`systemctl show`). In check mode a unit that does not exist yet but that an earlier task
 * would install (a package of the same name, or a unit file it writes) is "would change", not an error.
 */
import { quote } from '../connection/quote.js';
import type { ReadJoin } from '../connection/types.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import type { PlanInput } from './types.js';

export interface ServiceArgs {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  daemon_reload?: boolean;
}

export interface UnitFacts {
  LoadState?: string;
  ActiveState?: string;
  UnitFileState?: string;
  NeedDaemonReload?: string;
}

export function unitFactsCommand(name: string): string {
  return unitsFactsCommand([name]);
}

function unitsFactsCommand(names: string[]): string {
  return `systemctl show -p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload -- ${names.map(quote).join(' ')}`;
}

/** A block of `systemctl show`: one Key=value line per property. */
const UNIT_BLOCK = /^(?:[A-Za-z]+=[^\n]*\n)+$/;

/** `systemctl show` of several units prints each unit's block, in order, an empty line between. */
export function splitUnitBlocks(stdout: string, count: number): string[] | undefined {
  const parts = stdout.split('\n\n');
  if (parts.length !== count) return undefined;
  const blocks = parts.map((p, i) => (i < count - 1 ? `${p}\n` : p));
  return blocks.every((b) => UNIT_BLOCK.test(b)) ? blocks : undefined;
}

/** The reads of several units share one `systemctl show`; a pattern (which names any number of
 *  units, so any number of blocks) reads on its own. */
export function unitFactsJoin(name: string): ReadJoin | undefined {
  if (/[*?[\]\\]/.test(name)) return undefined;
  return { kind: 'systemctl show unit facts', item: name, command: unitsFactsCommand, split: splitUnitBlocks };
}

export function parseUnitFacts(stdout: string): UnitFacts {
  const facts: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) facts[line.slice(0, i)] = line.slice(i + 1);
  }
  return facts;
}

/** Would an earlier task of this run install this unit? */
export function unitIsPending(name: string, pending: PlanInput['pending']): boolean {
  const base = name.replace(/\.service$/, '');
  const unit = name.includes('.') ? name : `${name}.service`;
  return pending.packages.has(base) || [...pending.paths].some((p) => p.endsWith(`/${unit}`));
}

const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated']);
const ACTIVE = new Set(['active', 'activating', 'reloading']);

/** The systemctl commands that bring the unit to the wanted state; missing: the unit is not loaded. */
export function serviceCommands(args: ServiceArgs, facts: UnitFacts, missing: boolean): string[] {
  const q = quote(args.name);
  const cmds: string[] = [];
  if (args.daemon_reload && (missing || facts.NeedDaemonReload === 'yes')) cmds.push('systemctl daemon-reload');
  if (args.enabled === true && (missing || !ENABLED.has(facts.UnitFileState ?? ''))) cmds.push(`systemctl enable -- ${q}`);
  if (args.enabled === false && !missing && /^enabled/.test(facts.UnitFileState ?? '')) cmds.push(`systemctl disable -- ${q}`);
  const active = !missing && ACTIVE.has(facts.ActiveState ?? '');
  if (args.state === 'started' && !active) cmds.push(`systemctl start -- ${q}`);
  if (args.state === 'stopped' && active) cmds.push(`systemctl stop -- ${q}`);
  if (args.state === 'restarted') cmds.push(`systemctl restart -- ${q}`);
  if (args.state === 'reloaded') cmds.push(active ? `systemctl reload -- ${q}` : `systemctl start -- ${q}`);
  return cmds;
}

export const service = typedModule<ServiceArgs, UnitFacts, undefined>({
  name: 'service',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      state: { enum: ['started', 'stopped', 'restarted', 'reloaded'] },
      enabled: { type: 'boolean' },
      daemon_reload: { type: 'boolean' },
    },
    required: ['name'],
    anyOf: [{ required: ['state'] }, { required: ['enabled'] }, { required: ['daemon_reload'] }],
    additionalProperties: false,
  },
  fact: (args) => ({ command: unitFactsCommand(args.name), parse: parseUnitFacts, join: unitFactsJoin(args.name) }),
  plan(args, facts, input) {
    const missing = facts.LoadState === 'not-found';
    const pending = missing && unitIsPending(args.name, input.pending);
    if (missing && !pending && !(args.daemon_reload && !input.check)) {
      throw new TaskError(`service ${args.name} on ${input.host}: no such unit (LoadState=not-found)`);
    }
    const commands = serviceCommands(args, facts, missing);
    const changed = commands.length > 0;
    const diff =
      input.diff && changed
        ? [{ path: `service ${args.name}`, before: `active: ${facts.ActiveState}\nenabled: ${facts.UnitFileState}\n`, after: `${args.state ? `state: ${args.state}\n` : ''}${args.enabled !== undefined ? `enabled: ${args.enabled}\n` : ''}` }]
        : undefined;
    const change = !changed ? undefined : missing && input.check ? `change: ${args.name} is installed by an earlier task` : `run: ${commands.join('; ')}`;
    return { changed, change, commands, diff, result: { name: args.name, status: facts } };
  },
});

registerModule(service);
