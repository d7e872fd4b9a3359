/** group: a local group, created with groupadd, its gid changed with groupmod, or removed with groupdel. */
import { quote, quoteArgs } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { accountNameSchema } from './support/schema-parts.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface GroupArgs {
  name: string;
  state?: 'present' | 'absent';
  system?: boolean;
  gid?: number;
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

export const group: ModuleDefinition<GroupArgs> = {
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
  async plan(ctx, args): Promise<PlanResult> {
    const q = quote(args.name);
    // The group's entry, and a user whose primary group it is (groupdel refuses to remove that).
    const script = `getent group ${q} || true; echo --; g=$(getent group ${q} | cut -d: -f3); [ -z "$g" ] || getent passwd | awk -F: -v g="$g" '$4 == g { print $1; exit }'`;
    const r = await mustRun(ctx, script, `looking up group ${args.name}`);
    const [entry, primaryOf] = r.stdout.split('--\n').map((s) => s.trim()) as [string, string];
    // In check mode an earlier task of the run creates it: it is there by now.
    const pending = entry === '' && ctx.check && ctx.state.pendingUsers.has(args.name) && args.state !== 'absent' && args.gid === undefined;
    if (args.state === 'absent' && primaryOf) throw new TaskError(`groupdel: cannot remove the primary group of user '${primaryOf}'`);
    const cmd = pending ? undefined : groupCommand(args, entry);
    if (cmd && args.state !== 'absent') ctx.state.pendingUsers.add(args.name);
    return { changed: cmd !== undefined, msg: cmd ? `${ctx.check ? 'would run' : 'run'}: ${cmd}` : undefined, actions: cmd };
  },
  async apply(ctx, args, plan) {
    await mustRun(ctx, plan.actions as string, `group ${args.name}`);
    return { changed: true, msg: plan.msg };
  },
};

registerModule(group);
