/**
 * The local apt repository every host uses as its only source (seen at /srv/repo inside a host).
 * Built on the controller from Debian's packages: apt downloads what the packages need beyond the
 * base (resolved against the base's dpkg status), dpkg-scanpackages indexes it.
 */
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CACHE_DIR } from './config.js';
import { readText, rmrf, sha, writeAtomic } from './fsutil.js';
import { progress } from './log.js';
import { run, runOk, sleep } from './proc.js';
import type { Base } from './base.js';

/** What a lab host can install (plus their dependencies). */
export const REPO_PACKAGES = [
  'haproxy',
  'keepalived',
  'psmisc',
  'curl',
  'python3-apt',
  'sudo',
  'socat',
  'netcat-openbsd',
  'ca-certificates',
];

export const REPO_DIR = path.join(CACHE_DIR, 'repo');
const REPO_VERSION = '1';

export function repoHash(base: Base): string {
  return sha('repo', REPO_VERSION, base.hash, REPO_PACKAGES.join(',')).slice(0, 12);
}

/** Make sure the repository for this base and package list exists. Returns its directory. */
export async function ensureRepo(base: Base): Promise<string> {
  const hash = repoHash(base);
  if ((await readText(path.join(REPO_DIR, '.lbrun-repo')))?.trim() === hash) return REPO_DIR;
  progress('build the local apt repository (haproxy, keepalived, ... from Debian, ~10 s)...');
  const tmp = `${REPO_DIR}.tmp`;
  await rmrf(tmp);
  await download(base, tmp);
  await index(tmp);
  await writeAtomic(path.join(tmp, '.lbrun-repo'), `${hash}\n`);
  // the old repository may be bind-mounted into running hosts: swap directories, do not rewrite in place
  const old = `${REPO_DIR}.old-${Date.now()}`;
  await rename(REPO_DIR, old).catch(() => {});
  await rename(tmp, REPO_DIR);
  await rmrf(old);
  return REPO_DIR;
}

async function download(base: Base, dir: string): Promise<void> {
  await runOk('mkdir', ['-p', path.join(dir, 'partial')]);
  const args = [
    '-q',
    '-y',
    '--download-only',
    '-o', `Dir::State::status=${path.join(base.dir, 'var/lib/dpkg/status')}`,
    '-o', `Dir::Cache::archives=${dir}`,
    '-o', 'Dir::Cache::pkgcache=',
    '-o', 'Dir::Cache::srcpkgcache=',
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Install-Recommends=true',
    'install',
    ...REPO_PACKAGES,
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
  let r = await run('apt-get', args, { env });
  if (r.code !== 0) {
    // stale or missing package lists on the controller: refresh them once and retry
    progress('  apt-get update on the controller...');
    await aptUpdate();
    r = await run('apt-get', args, { env });
  }
  if (r.code !== 0) throw new Error(`downloading the lab packages failed:\n${r.stderr.trim() || r.stdout.trim()}`);
  await rmrf(path.join(dir, 'partial'));
  await rm(path.join(dir, 'lock'), { force: true });
}

async function aptUpdate(): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await run('apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=120', 'update']);
    if (r.code === 0) return;
    if (i >= 20 || !/lock/i.test(r.stderr)) throw new Error(`apt-get update failed:\n${r.stderr.trim()}`);
    await sleep(3000);
  }
}

/** Packages, Packages.gz and a Release file, so `apt-get update` on a host is clean. */
async function index(dir: string): Promise<void> {
  const debs = (await readdir(dir)).filter((f) => f.endsWith('.deb'));
  if (debs.length === 0) throw new Error('the lab repository is empty: apt downloaded no package');
  const packages = await runOk('dpkg-scanpackages', ['-m', '.'], { cwd: dir });
  const gz = gzipSync(Buffer.from(packages));
  await writeFile(path.join(dir, 'Packages'), packages);
  await writeFile(path.join(dir, 'Packages.gz'), gz);
  const line = async (name: string): Promise<string> => {
    const data = await readFile(path.join(dir, name));
    return ` ${createHash('sha256').update(data).digest('hex')} ${data.length} ${name}`;
  };
  const release = [
    'Origin: lbrun-lab',
    'Label: lbrun-lab',
    'Suite: lab',
    'Codename: lab',
    `Date: ${new Date().toUTCString()}`,
    'Architectures: amd64 all',
    'Description: lbrun lab local repository',
    'SHA256:',
    await line('Packages'),
    await line('Packages.gz'),
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'Release'), release);
  progress(`  ${debs.length} packages in the lab repository`);
}
