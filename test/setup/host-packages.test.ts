/**
 * The controller's packages (src/setup/requirements.ts): `lbrun lab up` and `npm test`'s pretest
 * step name each missing package and the one command that installs it (exit 3) when they may not
 * install it; a missing program is never a bare `spawn X ENOENT`. A package is made "missing" for
 * real: its program is covered by a non-executable file (a bind mount of /dev/null in a private
 * mount namespace), so nothing on this machine changes. The install path itself is proven by hand
 * (apt-get remove debootstrap, then lab up), see docs.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/run-cli.js';
import { LAB_REQUIREMENTS, packageOf } from '../../src/setup/requirements.js';
import { run } from '../../src/lab/proc.js';

const isRoot = process.getuid?.() === 0;
const LBRUN = join(REPO_ROOT, 'bin/lbrun.js');
const INSTALLER = join(REPO_ROOT, 'scripts/host-packages.js');

interface Opts {
  /** programs to make missing */
  hide?: string[];
  /** files to lay over others: [replacement, target] */
  over?: Array<[string, string]>;
  env?: NodeJS.ProcessEnv;
  /** run as this user (setpriv) */
  user?: string;
}

/** Run argv (node is prepended) in a private mount namespace where `hide` programs are not executable. */
function runHidden(argv: string[], opts: Opts = {}): { code: number | null; stdout: string; stderr: string; ms: number } {
  const binds = [...(opts.hide ?? []).map((f) => ['/dev/null', f]), ...(opts.over ?? [])];
  const script = `${binds.map(([a, b]) => `mount --bind '${a}' '${b}' || exit 99`).join('\n')}\nexec "$@"`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', LBRUN_NO_INSTALL: undefined, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  // as another user, `env -i` with only opts.env: tap's process hooks (added to every child's
  // NODE_OPTIONS) would try to write into .tap/ as that user
  const asUser = opts.user
    ? ['env', '-i', 'NO_COLOR=1', ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      'setpriv', `--reuid=${opts.user}`, `--regid=nogroup`, '--clear-groups']
    : [];
  const t0 = Date.now();
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...asUser, process.execPath, ...argv],
    { env, encoding: 'utf8', timeout: 120_000, cwd: REPO_ROOT },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

t.test('needs root for the mount namespace', { skip: !isRoot && 'not root' }, async (t) => {
  t.test('lab up, LBRUN_NO_INSTALL=1, debootstrap missing: exit 3, names the package and the command, touches nothing', async (t) => {
    const r = runHidden([LBRUN, 'lab', 'up'], { hide: ['/usr/sbin/debootstrap'], env: { LBRUN_NO_INSTALL: '1' } });
    t.equal(r.code, 3, r.stderr);
    t.equal(r.stdout, '', 'no status: nothing was started');
    t.match(r.stderr, /^lbrun lab up needs a package that is not installed on this machine:\n {2}debootstrap \(`debootstrap` not found\): /);
    t.match(r.stderr, '\n  apt-get install -y --no-install-recommends debootstrap\n');
    t.match(r.stderr, 'LBRUN_NO_INSTALL');
    t.notMatch(r.stderr, /ENOENT|spawn/);
    t.notMatch(r.stderr, /Reading package lists|debootstrap base/, 'apt and debootstrap did not run');
    t.ok(r.ms < 10_000, `quick: ${r.ms} ms`);
  });

  t.test('lab up --no-install, two packages missing: one message naming both, one command', async (t) => {
    const r = runHidden([LBRUN, 'lab', 'up', '--no-install'], { hide: ['/usr/sbin/debootstrap', '/usr/bin/dpkg-scanpackages'] });
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /debootstrap \(`debootstrap` not found\)/);
    t.match(r.stderr, /dpkg-dev \(`dpkg-scanpackages` not found\)/);
    t.match(r.stderr, '\n  apt-get install -y --no-install-recommends debootstrap dpkg-dev\n');
    t.equal(r.stderr.match(/apt-get install/g)?.length, 1, 'one command');
  });

  t.test('lab up as a user that is not root: exit 3, the packages and the sudo command, in one message', async (t) => {
    const r = runHidden([LBRUN, 'lab', 'up'], {
      hide: ['/usr/sbin/debootstrap'],
      user: 'nobody',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent' },
    });
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /^lbrun lab up needs a package that is not installed on this machine:\n {2}debootstrap \(`debootstrap` not found\)/);
    t.match(r.stderr, '\n  sudo apt-get install -y --no-install-recommends debootstrap\n');
    t.match(r.stderr, 'run as root, lbrun installs it itself');
    t.notMatch(r.stderr, 'needs root on Linux', 'one message, not a second one about root');
    t.notMatch(r.stderr, /ENOENT|spawn/);
  });

  t.test('not Debian or Ubuntu: exit 3, Debian names and the advice to use the system package manager', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lbrun-osrel-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const osRelease = join(dir, 'os-release');
    writeFileSync(osRelease, 'NAME="Fedora Linux"\nID=fedora\n');
    const r = runHidden([LBRUN, 'lab', 'up'], { hide: ['/usr/sbin/debootstrap'], over: [[osRelease, '/etc/os-release']] });
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /debootstrap \(`debootstrap` not found\)/);
    t.match(r.stderr, 'Debian/Ubuntu package names');
    t.match(r.stderr, 'apt-get install -y --no-install-recommends debootstrap');
    t.match(r.stderr, 'system package manager');
  });

  t.test("npm test's pretest step: haproxy missing, refused: exit 3 naming haproxy and why", async (t) => {
    const r = runHidden([INSTALLER, 'tests'], { hide: ['/usr/sbin/haproxy'], env: { LBRUN_NO_INSTALL: '1' } });
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /^npm test needs a package that is not installed on this machine:\n {2}haproxy \(`haproxy` not found\): the role tests/);
    t.match(r.stderr, '\n  apt-get install -y --no-install-recommends haproxy\n');
  });

  t.test('root with /usr/sbin off PATH (su without -): lbrun finds sbin programs itself', async (t) => {
    const r = runHidden([INSTALLER, 'lab', '--no-install'], { env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '');
  });
});

t.test('all present here: the check is silent and quick', async (t) => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [INSTALLER, 'lab', 'tests', '--no-install'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr, '');
  t.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
});

t.test('a program that cannot be started is named with its package, never a bare spawn ENOENT', async (t) => {
  const saved = process.env.PATH;
  const empty = mkdtempSync(join(tmpdir(), 'lbrun-path-'));
  process.env.PATH = empty;
  t.teardown(() => {
    process.env.PATH = saved;
    rmSync(empty, { recursive: true, force: true });
  });
  const err = await run('debootstrap', ['--version']).then(
    () => undefined,
    (e: Error & { exitCode?: number }) => e,
  );
  t.ok(err, 'rejected');
  t.equal(err?.exitCode, 3);
  t.match(err?.message, 'needs the program `debootstrap`, which is not installed');
  t.match(err?.message, 'Debian package debootstrap');
  t.match(err?.message, 'apt-get install -y --no-install-recommends debootstrap');
  t.notMatch(err?.message, /spawn .* ENOENT/);
});

t.test('every program src/ starts by name is in a requirement list (the list stays true)', async (t) => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(d, e.name));
    }
  };
  walk(join(REPO_ROOT, 'src'));
  const started = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\b(?:run|runOk|spawn|spawnSync|execFile|execFileSync)\(\s*'([^']+)'/g)) started.add(m[1]);
  }
  // the shell: package dash, Essential on every Debian (and what the lists' commands run under)
  started.delete('/bin/sh');
  t.ok(started.size >= 10, `found the programs: ${[...started].join(' ')}`);
  for (const cmd of started) t.ok(packageOf(cmd), `${cmd} has a package`);
  // and the ones the lab starts are in the lab's list (what `lab up` checks)
  const lab = new Set(LAB_REQUIREMENTS.flatMap((r) => r.provides));
  for (const f of files.filter((f) => f.includes('/src/lab/'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:run|runOk|spawn)\(\s*'([^'/]+)'/g)) t.ok(lab.has(m[1]), `lab: ${m[1]}`);
  }
});
