/**
 * user: a local account, created or changed with useradd/usermod, with Ansible's defaults (modules/
 * user.py): a home directory is created also for a system user (create_home: true); `groups` is the
 * exact list of supplementary groups unless `append: true`; a group named like the user that already
 * exists is not made the primary group (useradd -N), as Ansible does; `remove: true` deletes the home.
 */
import { quote, quoteArgs } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import { accountNameSchema, asList, stringList } from './support/schema-parts.js';

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
  /** The home directory (args.home, else the account's) exists. */
  homeExists: boolean;
}

export function userFactsScript(name: string, groups: string[] = [], home?: string): string {
  const q = quote(name);
  const h = home !== undefined ? quote(home) : `"$(getent passwd ${q} | cut -d: -f6)"`;
  return [
    `if getent passwd ${q}; then echo "--primary-- $(id -gn ${q})"; echo "--groups-- $(id -Gn ${q})"; echo "--shadow-- $(getent shadow ${q} | cut -d: -f2)"; ` +
      `[ -e ${h} ] && echo --home-exists--; fi`,
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
  const homeExists = lines.includes('--home-exists--');
  if (!entry) return { exists: false, groups: [], ownGroup, missingGroups, homeExists };
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
    homeExists,
  };
}

/**
 * Ansible's missing home of an existing account (user.py create_homedir + chown_homedir): /etc/skel
 * copied (or an empty directory), mode 0777 & ~UMASK of /etc/login.defs, everything owned by the user.
 */
export function homeCommand(name: string, home: string): string {
  const h = quote(home);
  return (
    `mkdir -p -- "$(dirname -- ${h})" && if [ -d /etc/skel ]; then cp -a /etc/skel ${h}; else mkdir -- ${h}; fi && ` +
    `u=$(sed -n 's/^UMASK[[:space:]][[:space:]]*\\([0-9][0-9]*\\)$/\\1/p' /etc/login.defs 2>/dev/null | tail -n 1) && ` +
    `{ [ -z "$u" ] || chmod "$(printf %o $((0777 & ~0$u)))" ${h}; } && chown -R -- ${quote(name)}: ${h}`
  );
}

export function userCommand(args: UserArgs, facts: UserFacts): string | undefined {
  const groups = asList(args.groups);
  if (args.state === 'absent') {
    return facts.exists ? quoteArgs(['userdel', ...(args.remove ? ['--remove'] : []), ...(args.force ? ['--force'] : []), args.name]) : undefined;
  }
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

/** The account as useradd/usermod leave it (Debian's defaults for what args do not say). */
export function userAfter(args: UserArgs, f: UserFacts): UserFacts {
  const groups = asList(args.groups);
  const group = args.group ?? f.group ?? (f.ownGroup ? 'users' : args.name);
  const wanted = groups.filter((g) => g !== group);
  return {
    exists: true,
    uid: args.uid !== undefined ? String(args.uid) : f.uid,
    group,
    comment: args.comment ?? f.comment ?? '',
    home: args.home ?? f.home ?? `/home/${args.name}`,
    shell: args.shell || (f.shell ?? '/bin/sh'),
    groups: args.groups === undefined ? f.groups : args.append ? [...new Set([...f.groups, ...wanted])] : wanted,
    password: args.password !== undefined && !(f.exists && args.update_password === 'on_create') ? args.password : f.password,
    ownGroup: true,
    missingGroups: [],
    homeExists: f.homeExists || args.create_home !== false,
  };
}

/** Arguments that only ask for the account to exist (an earlier task creating it satisfies them). */
const ONLY_EXISTS = ['name', 'state', 'system', 'create_home'];

export const user = typedModule<UserArgs, UserFacts, undefined>({
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
  fact: (args) => ({
    command: userFactsScript(args.name, args.state === 'absent' ? [] : [...asList(args.groups), ...(args.group !== undefined ? [args.group] : [])], args.home),
    parse: parseUserFacts,
  }),
  plan(args, read, input) {
    // In --check an earlier task of the run creates (or removes) the account: plan against what it
    // will be by now (its planned fingerprint), as the real run will.
    const key = `user:${args.name}`;
    const earlier = !read.exists && input.check ? input.planned(key) : undefined;
    const facts: UserFacts = earlier ? { ...(JSON.parse(earlier) as UserFacts), missingGroups: read.missingGroups } : read;
    const pending = !facts.exists && input.check && input.pending.users.has(args.name) && earlier === undefined;
    const result = { name: args.name, exists: read.exists };
    if (args.state === 'absent') {
      const cmd = facts.exists || pending ? userCommand(args, { ...facts, exists: true }) : undefined;
      return cmd ? { changed: true, change: `run: ${cmd}`, commands: [cmd], planned: { [key]: JSON.stringify({ ...read, exists: false }) }, result } : { changed: false, result };
    }
    const missing = facts.missingGroups.filter((g) => !input.pending.users.has(g));
    if (missing.length) throw new TaskError(`Group ${missing.join(', ')} does not exist`);
    if (pending && Object.keys(args).every((k) => ONLY_EXISTS.includes(k))) return { changed: false, result };
    const cmd = userCommand(args, facts);
    const home = facts.exists && args.create_home !== false && !facts.homeExists ? (args.home ?? facts.home) : undefined;
    const commands = [...(cmd ? [cmd] : []), ...(home ? [homeCommand(args.name, home)] : [])];
    if (!commands.length) return { changed: false, result };
    const shown = cmd && args.password !== undefined ? cmd.replace(quote(args.password), '********') : cmd;
    const change = [...(shown ? [`run: ${shown}`] : []), ...(home ? [`create home ${home}`] : [])].join('; ');
    return { changed: true, change, commands, pending: { users: [args.name] }, planned: { [key]: JSON.stringify(userAfter(args, facts)) }, result };
  },
});

registerModule(user);
