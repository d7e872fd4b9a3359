/** owner / group / mode of a path: what differs from the wanted state, and the commands to fix it. */
import { quote } from '../../connection/quote.js';
import type { FileFacts } from './file-facts.js';
import { formatMode, parseMode } from './mode.js';

export interface WantedAttributes {
  owner?: string;
  group?: string;
  mode?: string | number;
}

/** Names of the attributes that differ ("owner", "group", "mode"). A name or a numeric id matches. */
export function attributeChanges(facts: FileFacts, want: WantedAttributes): string[] {
  const out: string[] = [];
  if (want.owner !== undefined && want.owner !== facts.owner && want.owner !== facts.uid) out.push('owner');
  if (want.group !== undefined && want.group !== facts.group && want.group !== facts.gid) out.push('group');
  if (want.mode !== undefined && parseMode(want.mode) !== facts.mode) out.push('mode');
  return out;
}

/** chown/chmod command lines for `path` (variable or quoted path expression given as `target`). */
export function attributeCommands(target: string, want: WantedAttributes, recurse = false): string[] {
  const r = recurse ? '-R ' : '';
  const cmds: string[] = [];
  if (want.owner !== undefined || want.group !== undefined) {
    const spec = `${want.owner ?? ''}${want.group !== undefined ? `:${want.group}` : ''}`;
    cmds.push(`chown ${r}${quote(spec)} -- ${target}`);
  }
  if (want.mode !== undefined) cmds.push(`chmod ${r}${formatMode(parseMode(want.mode))} -- ${target}`);
  return cmds;
}

/** Human summary of attribute facts, e.g. "root:root 0644". */
export function describeAttributes(facts: FileFacts): string {
  return `${facts.owner}:${facts.group} ${formatMode(facts.mode ?? 0)}`;
}
