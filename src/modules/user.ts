/**
 * user: a local account, created or changed with useradd/usermod, with Ansible's defaults (modules/
 * user.py): a home directory is created also for a system user (create_home: true); `groups` is the
 * exact list of supplementary groups unless `append: true`; a group named like the user that already
 * exists is not made the primary group (useradd -N), as Ansible does; `remove: true` deletes the home.
 */
import { quote, quoteArgs } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { accountNameSchema, asList, stringList } from './support/schema-parts.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface UserArgs {
  name: string;
  state?: 'present' | 'absent';
  system?: boolean;
  uid?: number;
  /** Primary group. */
  group?: string;
  comment?: string;
  shell?: string;
  home?: string;
  create_home?: boolean;
  /** Supplementary groups: exactly these, or added to the current ones with append. */
  groups?: string | string[];
  append?: boolean;
  /** Encrypted password (as in /etc/shadow). */
  password?: string;
  update_password?: 'always' | 'on_create';
  remove?: boolean;
  force?: boolean;
}

export interface UserFacts {
  exists: boolean;
  uid?: string;
  /** Primary group name. */
  group?: string;
  comment?: string;
  home?: string;
  shell?: string;
  /** Supplementary groups (without the primary one). */
  groups: string[];
  password?: string;
  /** A group with the user's name exists. */
  ownGroup: boolean;
  /** Groups named in args that do not exist. */
  missingGroups: string[];
}

export function userFactsScript(name: string, groups: string[] = []): string {
  const q = quote(name);
  return [
    `if getent passwd ${q}; then echo "--primary-- $(id -gn ${q})"; echo "--groups-- $(id -Gn ${q})"; echo "--shadow-- $(getent shadow ${q} | cut -d: -f2)"; fi`,
    `getent group ${q} >/dev/null && echo --own-group--`,
    ...groups.map((g) => `getent group ${quote(g)} >/dev/null || echo "--missing-- "${quote(g)}`),
    'true',
  ].join('\n');
}

export function parseUserFacts(stdout: string): UserFacts {
  const lines = stdout.split('\n');
  const tagged = (tag: string) => lines.find((l) => l.startsWith(`--${tag}-- `))?.slice(tag.length + 5);
  const entry = lines[0]?.startsWith('--') ? undefined : lines[0];
  const missingGroups = lines.filter((l) => l.startsWith('--missing-- ')).map((l) => l.slice(12));
  const ownGroup = lines.includes('--own-group--');
  if (!entry) return { exists: false, groups: [], ownGroup, missingGroups };
  const f = entry.split(':');
  const primary = tagged('primary');
  return {
    exists: true,
    uid: f[2],
    group: primary,
    comment: f[4],
    home: f[5],
    shell: f[6],
    groups: (tagged('groups') ?? '').split(/\s+/).filter((g) => g && g !== primary),
    password: tagged('shadow'),
    ownGroup,
    missingGroups,
  };
}

export function userCommand(args: UserArgs, facts: UserFacts): string | undefined {
  const groups = asList(args.groups);
  if (args.state === 'absent') {
    return facts.exists ? quoteArgs(['userdel', ...(args.remove ? ['--remove'] : []), ...(args.force ? ['--force'] : []), args.name]) : undefined;
  }
  if (facts.missingGroups.length) throw new TaskError(`Group ${facts.missingGroups.join(', ')} does not exist`);
  if (!facts.exists) {
    const argv = ['useradd'];
    if (args.system) argv.push('--system');
    if (args.uid !== undefined) argv.push('--uid', String(args.uid));
    if (args.group !== undefined) argv.push('--gid', args.group);
    else if (facts.ownGroup) argv.push('--no-user-group');
    if (args.comment !== undefined) argv.push('--comment', args.comment);
    if (args.shell) argv.push('--shell', args.shell);
    if (args.home) argv.push('--home-dir', args.home);
    if (args.password !== undefined) argv.push('--password', args.password);
    argv.push(args.create_home === false ? '--no-create-home' : '--create-home');
    if (groups.length) argv.push('--groups', groups.join(','));
    return quoteArgs([...argv, args.name]);
  }
  const argv = ['usermod'];
  if (args.uid !== undefined && String(args.uid) !== facts.uid) argv.push('--uid', String(args.uid));
  if (args.group !== undefined && args.group !== facts.group) argv.push('--gid', args.group);
  if (args.comment !== undefined && args.comment !== facts.comment) argv.push('--comment', args.comment);
  if (args.shell && args.shell !== facts.shell) argv.push('--shell', args.shell);
  if (args.home && args.home !== facts.home) argv.push('--home', args.home);
  if (args.password !== undefined && args.update_password !== 'on_create' && args.password !== facts.password) argv.push('--password', args.password);
  if (args.groups !== undefined) {
    const wanted = groups.filter((g) => g !== facts.group);
    const missing = wanted.filter((g) => !facts.groups.includes(g));
    if (args.append) {
      if (missing.length) argv.push('--append', '--groups', missing.join(','));
    } else if (missing.length || facts.groups.some((g) => !wanted.includes(g))) {
      argv.push('--groups', wanted.join(','));
    }
  }
  return argv.length > 1 ? quoteArgs([...argv, args.name]) : undefined;
}

export const user: ModuleDefinition<UserArgs> = {
  name: 'user',
  schema: {
    type: 'object',
    properties: {
      name: accountNameSchema,
      state: { enum: ['present', 'absent'] },
      system: { type: 'boolean' },
      uid: { type: 'integer', minimum: 0 },
      group: { type: 'string', minLength: 1 },
      comment: { type: 'string' },
      shell: { type: 'string' },
      home: { type: 'string' },
      create_home: { type: 'boolean' },
      groups: stringList,
      append: { type: 'boolean' },
      password: { type: 'string' },
      update_password: { enum: ['always', 'on_create'] },
      remove: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const wantGroups = [...asList(args.groups), ...(args.group !== undefined ? [args.group] : [])].filter((g) => !ctx.state.pendingUsers.has(g));
    const r = await mustRun(ctx, userFactsScript(args.name, args.state === 'absent' ? [] : wantGroups), `looking up user ${args.name}`);
    const facts = parseUserFacts(r.stdout);
    // In check mode an earlier task of the run creates the user: a task that only asks for it to exist
    // would change nothing more (one that sets more may).
    const onlyExists = Object.keys(args).every((k) => ['name', 'state', 'system', 'create_home'].includes(k));
    const pending = !facts.exists && ctx.check && ctx.state.pendingUsers.has(args.name) && args.state !== 'absent' && onlyExists;
    const cmd = pending ? undefined : userCommand(args, facts);
    if (cmd && args.state !== 'absent') ctx.state.pendingUsers.add(args.name);
    const shown = args.password !== undefined ? cmd?.replace(quote(args.password), '********') : cmd;
    return {
      changed: cmd !== undefined,
      msg: cmd ? `${ctx.check ? 'would run' : 'run'}: ${shown}` : undefined,
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
