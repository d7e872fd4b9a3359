/** group: a local group, created with groupadd or removed with groupdel. */
import { quote, quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { accountNameSchema } from './support/schema-parts.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface GroupArgs {
  name: string;
  state?: 'present' | 'absent';
  system?: boolean;
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
    },
    required: ['name'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const r = await mustRun(ctx, `getent group ${quote(args.name)} || true`, `looking up group ${args.name}`);
    const exists = r.stdout.trim() !== '';
    const want = args.state !== 'absent';
    const cmd =
      want && !exists
        ? quoteArgs(['groupadd', ...(args.system ? ['--system'] : []), args.name])
        : !want && exists
          ? quoteArgs(['groupdel', args.name])
          : undefined;
    return { changed: cmd !== undefined, msg: cmd ? `${ctx.check ? 'would run' : 'run'}: ${cmd}` : undefined, actions: cmd };
  },
  async apply(ctx, args, plan) {
    await mustRun(ctx, plan.actions as string, `group ${args.name}`);
    return { changed: true, msg: plan.msg };
  },
};

registerModule(group);
