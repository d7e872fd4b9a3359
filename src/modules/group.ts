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
}

export function groupFactsScript(name: string): string {
  const q = quote(name);
  return `getent group ${q} || true; echo --; g=$(getent group ${q} | cut -d: -f3); [ -z "$g" ] || getent passwd | awk -F: -v g="$g" '$4 == g { print $1; exit }'`;
}

export function parseGroupFacts(stdout: string): GroupFacts {
  const [entry = '', primaryOf = ''] = stdout.split('--\n').map((s) => s.trim());
  return { entry, primaryOf };
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
  fact: (args) => ({ command: groupFactsScript(args.name), parse: parseGroupFacts }),
  plan(args, { entry, primaryOf }, input) {
    // In --check an earlier task of the run creates it: it is there by now.
    const pending = entry === '' && input.check && input.pending.users.has(args.name);
    if (args.state === 'absent' && primaryOf) throw new TaskError(`groupdel: cannot remove the primary group of user '${primaryOf}'`);
    const cmd = pending && args.state === 'absent' ? quoteArgs(['groupdel', args.name]) : pending && args.gid === undefined ? undefined : groupCommand(args, entry);
    if (!cmd) return { changed: false };
    return { changed: true, change: `run: ${cmd}`, commands: [cmd], ...(args.state !== 'absent' ? { pending: { users: [args.name] } } : {}) };
  },
});

registerModule(group);
