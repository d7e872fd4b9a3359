/** A case's starting world (files, accounts) and a snapshot of what a user sees afterwards. */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Case, FileSpec } from './cases.js';

/** Text with the case's directory and account prefix put in. */
export const fill = (s: string, dir: string, prefix: string) => s.replaceAll('__D__', dir).replaceAll('__U__', prefix);

function idOf(kind: 'passwd' | 'group', name: string): number {
  return Number(execFileSync('getent', [kind, name], { encoding: 'utf8' }).split(':')[2]);
}

export function setUp(c: Case, dir: string, prefix: string): void {
  mkdirSync(dir, { recursive: true });
  for (const g of c.groups ?? []) execFileSync('groupadd', [fill(g, dir, prefix)]);
  for (const u of c.users ?? []) execFileSync('useradd', ['--no-create-home', fill(u, dir, prefix)]);
  const modes: Array<[string, number]> = [];
  for (const [rel, spec0] of Object.entries(c.files)) {
    const spec: FileSpec = typeof spec0 === 'string' ? { content: spec0 } : spec0;
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (spec.dir) mkdirSync(p, { recursive: true });
    else if (spec.link !== undefined) symlinkSync(fill(spec.link, dir, prefix), p);
    else writeFileSync(p, spec.bytes !== undefined ? Buffer.from(spec.bytes, 'base64') : fill(spec.content ?? '', dir, prefix));
    if (spec.owner !== undefined || spec.group !== undefined) {
      const uid = spec.owner === undefined ? -1 : idOf('passwd', fill(spec.owner, dir, prefix));
      const gid = spec.group === undefined ? -1 : idOf('group', fill(spec.group, dir, prefix));
      chownSync(p, uid, gid);
    }
    if (spec.mode !== undefined) modes.push([p, parseInt(spec.mode, 8)]);
    else if (spec.link === undefined) modes.push([p, spec.dir ? 0o755 : 0o644]);
  }
  // Deepest first, so a read-only directory is set after its content is made.
  for (const [p, m] of modes.reverse()) chmodSync(p, m);
}

/** The account database as `getent` gives it, read once per snapshot of a whole batch (not per case). */
export interface Db {
  passwd: string[][];
  group: string[][];
  /** uid -> user name, gid -> group name */
  users: Map<string, string>;
  groups: Map<string, string>;
}

export function readDb(): Db {
  const rows = (kind: 'passwd' | 'group') =>
    execFileSync('getent', [kind], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':'));
  const passwd = rows('passwd');
  const group = rows('group');
  return { passwd, group, users: new Map(passwd.map((f) => [f[2], f[0]])), groups: new Map(group.map((f) => [f[2], f[0]])) };
}

/** Ansible names backups FILE.PID.YYYY-MM-DD@HH:MM:SS~, lbrun FILE.YYYYMMDDHHMMSS~: both become FILE.BACKUP~. */
const backupName = (n: string) => n.replace(/\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/, '.BACKUP~').replace(/\.\d{14}~$/, '.BACKUP~');

function content(p: string): string {
  const b = readFileSync(p);
  const text = b.toString('utf8');
  return Buffer.from(text, 'utf8').equals(b) && !b.includes(0) ? JSON.stringify(text) : `base64:${b.toString('base64')}`;
}

/** One line per path below (and including) dir: type, mode, owner:group, content or link target. */
export function snapshotFiles(dir: string, prefix: string, db: Db): string[] {
  const { users, groups } = db;
  const norm = (s: string) => s.replaceAll(dir, '__D__').replaceAll(prefix, '__U__');
  const out: string[] = [];
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    const who = `${norm(users.get(String(st.uid)) ?? String(st.uid))}:${norm(groups.get(String(st.gid)) ?? String(st.gid))}`;
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    const head = `${backupName(rel)} ${who}`;
    if (st.isSymbolicLink()) out.push(`${head} link -> ${norm(readlinkSync(p))}`);
    else if (st.isDirectory()) {
      out.push(`${head} dir ${mode}`);
      for (const n of readdirSync(p).sort()) walk(join(p, n), rel === '.' ? n : `${rel}/${n}`);
    } else if (st.isFile()) out.push(`${head} file ${mode} ${norm(content(p))}`);
    else out.push(`${head} other ${mode}`);
  };
  if (existsSync(dir)) walk(dir, '.');
  return out.sort();
}

/** Accounts whose names start with prefix, as a user sees them (ids only as system/regular). */
export function snapshotAccounts(prefix: string, dir: string, db: Db): string[] {
  const norm = (s: string) => s.replaceAll(dir, '__D__').replaceAll(prefix, '__U__');
  const { groups } = db;
  const out: string[] = [];
  for (const f of db.passwd) {
    if (!f[0]?.startsWith(prefix)) continue;
    const [name, , uid, gid, gecos, home, shell] = f as [string, string, string, string, string, string, string];
    let homeState = 'no home';
    if (existsSync(home)) {
      const st = lstatSync(home);
      homeState = `home ${st.isDirectory() ? 'dir' : 'other'} ${(st.mode & 0o7777).toString(8)} owned ${st.uid === Number(uid) ? 'by user' : st.uid}`;
    }
    // what `id -Gn` says: the primary group and every group listing the user
    const member = [...new Set([groups.get(gid) ?? gid, ...db.group.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => g[0])])].sort().join(',');
    out.push(
      norm(`user ${name} ${Number(uid) < 1000 ? 'system' : 'regular'} primary=${groups.get(gid) ?? gid} gecos=${JSON.stringify(gecos)} home=${home} shell=${shell} ${homeState} groups=${member}`),
    );
  }
  for (const f of db.group) {
    if (!f[0]?.startsWith(prefix)) continue;
    out.push(norm(`group ${f[0]} ${Number(f[2]) < 1000 ? 'system' : 'regular'} members=${(f[3] ?? '').split(',').filter(Boolean).sort().join(',')}`));
  }
  return out.sort();
}

/** Remove every account whose name starts with one of the prefixes (users first, with their home and mail). */
export function removeAccounts(prefixes: string[]): void {
  const db = readDb();
  for (const kind of ['passwd', 'group'] as const) {
    for (const f of db[kind]) {
      const name = f[0];
      if (!name || !prefixes.some((p) => name.startsWith(p))) continue;
      try {
        execFileSync(kind === 'passwd' ? 'userdel' : 'groupdel', kind === 'passwd' ? ['-r', '-f', name] : [name], { stdio: 'ignore' });
      } catch {
        // already gone (a user's group goes with the user)
      }
    }
  }
}
