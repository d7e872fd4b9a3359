/** owner / group / mode of a path: what differs from the wanted state, and the commands to fix it. */
import { quote } from '../../connection/quote.js';
import { TaskError } from '../../errors.js';
import type { ModuleContext } from '../types.js';
import type { FileFacts } from './file-facts.js';
import { hostRun } from './host-run.js';
import { formatMode, type Mode, resolveMode } from './mode.js';

export interface WantedAttributes {
  owner?: string;
  group?: string;
  mode?: Mode;
}

/** Attributes with the mode resolved to its number for one path. */
export interface ResolvedAttributes {
  owner?: string;
  group?: string;
  mode?: number;
}

/** The number a (possibly symbolic) mode means for the path `facts` describes; a path that does not
 *  exist yet starts as what it is created with (0644 file, 0755 directory). */
export function modeFor(mode: Mode, facts: Pick<FileFacts, 'type' | 'mode'> | undefined, directory = false): number {
  const exists = facts !== undefined && facts.type !== 'absent';
  const dir = exists ? facts.type === 'directory' : directory;
  return resolveMode(mode, { mode: exists ? (facts.mode ?? 0) : dir ? 0o755 : 0o644, directory: dir });
}

export function resolveAttributes(want: WantedAttributes, facts: Pick<FileFacts, 'type' | 'mode'> | undefined, directory = false): ResolvedAttributes {
  return { owner: want.owner, group: want.group, mode: want.mode === undefined ? undefined : modeFor(want.mode, facts, directory) };
}

/** Names of the attributes that differ ("owner", "group", "mode"). A name or a numeric id matches. */
export function attributeChanges(facts: FileFacts, want: WantedAttributes): string[] {
  const out: string[] = [];
  if (want.owner !== undefined && want.owner !== facts.owner && want.owner !== facts.uid) out.push('owner');
  if (want.group !== undefined && want.group !== facts.group && want.group !== facts.gid) out.push('group');
  if (want.mode !== undefined && modeFor(want.mode, facts) !== facts.mode) out.push('mode');
  return out;
}

/** Only the attributes that differ, resolved. */
export function changedAttributes(facts: FileFacts, want: WantedAttributes): ResolvedAttributes {
  const c = attributeChanges(facts, want);
  return {
    owner: c.includes('owner') ? want.owner : undefined,
    group: c.includes('group') ? want.group : undefined,
    mode: c.includes('mode') ? modeFor(want.mode!, facts) : undefined,
  };
}

/** chown/chmod command lines for `path` (variable or quoted path expression given as `target`). */
export function attributeCommands(target: string, want: ResolvedAttributes, recurse = false): string[] {
  const r = recurse ? '-R ' : '';
  const cmds: string[] = [];
  if (want.owner !== undefined || want.group !== undefined) {
    const spec = `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}`;
    cmds.push(`chown ${r}${quote(spec)} -- ${target}`);
  }
  if (want.mode !== undefined) cmds.push(`chmod ${r}${formatMode(want.mode)} -- ${target}`);
  return cmds;
}

/**
 * Fail (also in check mode, as Ansible does) when the owner or group to set does not exist on the
 * host and no earlier task of this run creates it. Numeric ids are taken as they are.
 */
export async function checkAccountsExist(ctx: ModuleContext, want: WantedAttributes): Promise<void> {
  const names: Array<['passwd' | 'group', string]> = [];
  if (want.owner !== undefined && !/^\d+$/.test(want.owner) && !ctx.state.pendingUsers.has(want.owner)) names.push(['passwd', want.owner]);
  if (want.group !== undefined && !/^\d+$/.test(want.group) && !ctx.state.pendingUsers.has(want.group)) names.push(['group', want.group]);
  if (!names.length) return;
  const r = await hostRun(ctx, names.map(([db, n]) => `getent ${db} ${quote(n)} >/dev/null || echo ${db}`).join('\n') + '\ntrue');
  if (r.stdout.includes('passwd')) throw new TaskError(`chown failed: user ${JSON.stringify(want.owner)} does not exist on ${ctx.host}`);
  if (r.stdout.includes('group')) throw new TaskError(`chgrp failed: group ${JSON.stringify(want.group)} does not exist on ${ctx.host}`);
}

/** The same check from facts already read (support/fact-sections.ts accountsScript): pure. */
export function checkAccounts(want: WantedAttributes, missing: { owner: boolean; group: boolean }, pendingUsers: ReadonlySet<string>, host: string): void {
  if (missing.owner && !pendingUsers.has(want.owner!)) throw new TaskError(`chown failed: user ${JSON.stringify(want.owner)} does not exist on ${host}`);
  if (missing.group && !pendingUsers.has(want.group!)) throw new TaskError(`chgrp failed: group ${JSON.stringify(want.group)} does not exist on ${host}`);
}

/** Human summary of attribute facts, e.g. "root:root 0644". */
export function describeAttributes(facts: FileFacts): string {
  return `${facts.owner}:${facts.group} ${formatMode(facts.mode ?? 0)}`;
}
