/** group: a local group, created with groupadd, its gid changed with groupmod, or removed with groupdel. */
import { quote, quoteArgs } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import { accountNameSchema } from './support/schema-parts.js';

export interface GroupArgs {
  name: string;
  state?: 'present' | 'absent';
  system?: boolean;
  gid?: number;
}

export interface GroupFacts {
  /** The group's entry (`getent group`), '' when there is none. */
  entry: string;
  /** A user whose primary group it is ('' when none): groupdel refuses to remove it. */
  primaryOf: string;
  /** The group that has the wanted gid ('' when none or no gid is given): groupadd/groupmod refuse it. */
  gidHolder: string;
}

export function groupFactsScript(name: string, gid?: number): string {
  const q = quote(name);
  const holder = gid === undefined ? '' : `; echo --; getent group ${gid} | cut -d: -f1`;
  return `getent group ${q} || true; echo --; g=$(getent group ${q} | cut -d: -f3); [ -z "$g" ] || getent passwd | awk -F: -v g="$g" '$4 == g { print $1; exit }'${holder}`;
}

export function parseGroupFacts(stdout: string): GroupFacts {
  const [entry = '', primaryOf = '', gidHolder = ''] = stdout.split('--\n').map((s) => s.trim());
  return { entry, primaryOf, gidHolder };
}

export function groupCommand(args: GroupArgs, entry: string): string | undefined {
  const exists = entry !== '';
  const gid = entry.split(':')[2];
  if (args.state === 'absent') return exists ? quoteArgs(['groupdel', args.name]) : undefined;
  const id = args.gid !== undefined ? ['--gid', String(args.gid)] : [];
  if (!exists) return quoteArgs(['groupadd', ...(args.system ? ['--system'] : []), ...id, args.name]);
  if (args.gid !== undefined && String(args.gid) !== gid) return quoteArgs(['groupmod', ...id, args.name]);
  return undefined;
}

export const group = typedModule<GroupArgs, GroupFacts, undefined>({
  name: 'group',
  schema: {
    type: 'object',
    properties: {
      name: accountNameSchema,
      state: { enum: ['present', 'absent'] },
      system: { type: 'boolean' },
      gid: { type: 'integer', minimum: 0 },
    },
    required: ['name'],
    additionalProperties: false,
  },
  fact: (args) => ({ command: groupFactsScript(args.name, args.state === 'absent' ? undefined : args.gid), parse: parseGroupFacts }),
  plan(args, facts, input) {
    // In --check an earlier task of the run creates it (it is there by now) or removes it (it is gone).
    const key = `group:${args.name}`;
    const gone = input.check && input.planned(key) === 'absent';
    const entry = gone ? '' : facts.entry;
    const pending = entry === '' && input.check && !gone && input.pending.users.has(args.name);
    if (args.state === 'absent' && facts.primaryOf && !gone) throw new TaskError(`groupdel: cannot remove the primary group of user '${facts.primaryOf}'`);
    const cmd = pending && args.state === 'absent' ? quoteArgs(['groupdel', args.name]) : pending && args.gid === undefined ? undefined : groupCommand(args, entry);
    if (!cmd) return { changed: false };
    // groupadd/groupmod refuse a gid another group has (no non_unique): fail, in --check too
    if (args.state !== 'absent' && args.gid !== undefined && facts.gidHolder !== '' && facts.gidHolder !== args.name) {
      throw new TaskError(`GID '${args.gid}' already exists (group ${facts.gidHolder})`);
    }
    const after = { planned: { [key]: args.state === 'absent' ? 'absent' : 'present' } };
    return { changed: true, change: `run: ${cmd}`, commands: [cmd], ...after, ...(args.state !== 'absent' ? { pending: { users: [args.name] } } : {}) };
  },
});

registerModule(group);
