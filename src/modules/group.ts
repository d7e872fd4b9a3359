/** group: a local group, created with groupadd, its gid changed with groupmod, or removed with groupdel. */
import { quote, quoteArgs } from '../connection/quote.js';
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
  readAhead: true,
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
    const r = await mustRun(ctx, `getent group ${quote(args.name)} || true`, `looking up group ${args.name}`);
    const cmd = groupCommand(args, r.stdout.trim());
    if (cmd && args.state !== 'absent') ctx.state.pendingUsers.add(args.name);
    return { changed: cmd !== undefined, msg: cmd ? `${ctx.check ? 'would run' : 'run'}: ${cmd}` : undefined, actions: cmd };
  },
  async apply(ctx, args, plan) {
    await mustRun(ctx, plan.actions as string, `group ${args.name}`);
    return { changed: true, msg: plan.msg };
  },
};

registerModule(group);
