/** user: a local account (system users for scripts), created or changed with useradd/usermod. */
import { quote, quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { accountNameSchema, asList, stringList } from './support/schema-parts.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface UserArgs {
  name: string;
  state?: 'present' | 'absent';
  system?: boolean;
  shell?: string;
  home?: string;
  create_home?: boolean;
  /** Supplementary groups the user must be in (added; other memberships are kept). */
  groups?: string | string[];
}

export interface UserFacts {
  exists: boolean;
  home?: string;
  shell?: string;
  groups: string[];
}

export function userFactsScript(name: string): string {
  const q = quote(name);
  return `if getent passwd ${q}; then echo "--groups-- $(id -Gn ${q})"; fi; true`;
}

export function parseUserFacts(stdout: string): UserFacts {
  const [entry, groupsLine] = stdout.split('\n');
  if (!entry) return { exists: false, groups: [] };
  const f = entry.split(':');
  return { exists: true, home: f[5], shell: f[6], groups: (groupsLine ?? '').replace(/^--groups-- /, '').split(/\s+/).filter(Boolean) };
}

export function userCommand(args: UserArgs, facts: UserFacts): string | undefined {
  const groups = asList(args.groups);
  if (args.state === 'absent') return facts.exists ? quoteArgs(['userdel', args.name]) : undefined;
  if (!facts.exists) {
    const argv = ['useradd'];
    if (args.system) argv.push('--system');
    if (args.shell) argv.push('--shell', args.shell);
    if (args.home) argv.push('--home-dir', args.home);
    argv.push(args.create_home === false || (args.system && args.create_home === undefined) ? '--no-create-home' : '--create-home');
    if (groups.length) argv.push('--groups', groups.join(','));
    return quoteArgs([...argv, args.name]);
  }
  const argv = ['usermod'];
  if (args.shell && args.shell !== facts.shell) argv.push('--shell', args.shell);
  if (args.home && args.home !== facts.home) argv.push('--home', args.home);
  const missing = groups.filter((g) => !facts.groups.includes(g));
  if (missing.length) argv.push('--append', '--groups', missing.join(','));
  return argv.length > 1 ? quoteArgs([...argv, args.name]) : undefined;
}

export const user: ModuleDefinition<UserArgs> = {
  name: 'user',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      name: accountNameSchema,
      state: { enum: ['present', 'absent'] },
      system: { type: 'boolean' },
      shell: { type: 'string' },
      home: { type: 'string' },
      create_home: { type: 'boolean' },
      groups: stringList,
    },
    required: ['name'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const r = await mustRun(ctx, userFactsScript(args.name), `looking up user ${args.name}`);
    const facts = parseUserFacts(r.stdout);
    const cmd = userCommand(args, facts);
    if (cmd && args.state !== 'absent') ctx.state.pendingUsers.add(args.name);
    return {
      changed: cmd !== undefined,
      msg: cmd ? `${ctx.check ? 'would run' : 'run'}: ${cmd}` : undefined,
      actions: cmd,
      result: { name: args.name, exists: facts.exists },
    };
  },
  async apply(ctx, args, plan) {
    await mustRun(ctx, plan.actions as string, `user ${args.name}`);
    return { changed: true, msg: plan.msg };
  },
};

registerModule(user);
