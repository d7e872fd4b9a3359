/**
 * `lbrun lab down` leaves nothing behind: no process, no mount, no link, no namespace, no cgroup.
 * Also after a killed `lab up` whose runtime records are lost. Leaves the lab down (ensureLab in a
 * later file brings it back in a few seconds).
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { runCli, REPO_ROOT } from '../support/run-cli.js';
import { ensureLab, holdLab } from './helpers.js';
import { labLeftovers, labProcesses, type LabStatus } from '../../src/lab/index.js';

t.setTimeout(30 * 60_000);

const NS = ['net', 'mnt', 'pid', 'uts', 'ipc', 'cgroup'];

function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

function nsOf(pid: number): string[] {
  const out: string[] = [];
  for (const n of NS) {
    try {
      out.push(readlinkSync(`/proc/${pid}/ns/${n}`));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Namespaces that lab processes are in and the controller (this process) is not. */
function labNamespaces(pids: number[]): Set<string> {
  const mine = new Set(nsOf(process.pid));
  return new Set(pids.flatMap(nsOf).filter((n) => !mine.has(n)));
}

/** Processes that are still alive (zombies waiting for their reaper do not count). */
function living(pids: number[]): number[] {
  return pids.filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return !/^\S+ \(.*\) Z /.test(stat);
    } catch {
      return false;
    }
  });
}

/** Lines of every process's mount table that mention the lab's directories. */
function labMountsAnywhere(): string[] {
  const out = new Set<string>();
  for (const p of allPids()) {
    try {
      for (const l of readFileSync(`/proc/${p}/mountinfo`, 'utf8').split('\n')) {
        if (/lbrun-lab/.test(l)) out.add(`${p}: ${l}`);
      }
    } catch {
      /* gone */
    }
  }
  return [...out];
}

function links(): string[] {
  return readdirSync('/sys/class/net').filter((n) => n === 'lbrun0' || n.startsWith('lbv-'));
}

async function assertNothingLeft(t: Test, pids: number[], namespaces: Set<string>): Promise<void> {
  // the kernel reaps and tears down namespaces asynchronously: allow it a moment
  for (let i = 0; i < 50 && (living(pids).length || links().length); i++) await new Promise((r) => setTimeout(r, 100));
  t.same(living(pids), [], 'every process the lab started is gone');
  const inLabNs = allPids().filter((p) => nsOf(p).some((n) => namespaces.has(n)));
  t.same(living(inLabNs), [], 'no process is left in any of the lab namespaces');
  t.same(await labProcesses(), [], 'no process in the lab cgroup, running its scripts or rooted in its directories');
  t.same(labMountsAnywhere(), [], 'no mount of the lab in any mount table on the machine');
  const nsfs = labMountsAnywhere().filter((l) => / nsfs /.test(l));
  t.same(nsfs, [], 'no namespace kept alive by a bind mount');
  t.same(links(), [], 'no link lbrun0 or lbv-*');
  const left = await labLeftovers();
  t.same(left, { processes: [], mounts: [], links: [], namespaces: [], cgroup: false }, 'labLeftovers() is empty');
}

t.before(async () => {
  await holdLab();
});

t.test('lab down after a lab up leaves no process, mount, link or namespace', async (t) => {
  await ensureLab();
  const pids = await labProcesses();
  t.ok(pids.length >= 3 * 4 + 3, `the lab runs ${pids.length} processes`);
  const namespaces = labNamespaces(pids);
  t.ok(namespaces.size >= 3 * 6 + 3, `in ${namespaces.size} namespaces of their own`);
  t.ok(labMountsAnywhere().length > 0, 'hosts have their overlay roots mounted');
  for (const l of ['lbrun0', 'lbv-cp01', 'lbv-cp02', 'lbv-cp03', 'lbv-lb01', 'lbv-lb02', 'lbv-lb03']) {
    t.ok(links().includes(l), `link ${l} is there`);
  }

  const r = await runCli(['lab', 'down']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /\[lab\] lab down in [\d.]+ s/);
  t.comment(`lab down took ${r.durationMs} ms`);
  await assertNothingLeft(t, pids, namespaces);

  const s = JSON.parse((await runCli(['lab', 'status', '--json'])).stdout) as LabStatus;
  t.equal(s.up, false, 'status: down');
  t.equal(s.bridge, false);
  t.same(s.hosts.map((h) => h.running), [false, false, false], 'no host running');
  t.same(s.backends.map((b) => b.running), [false, false, false], 'no backend running');

  const again = await runCli(['lab', 'down']);
  t.equal(again.code, 0, 'lab down on a down lab is fine');
});

t.test('lab down cleans up a lab left behind by a killed run (records lost, a stray mount)', async (t) => {
  // a `lab up` killed with SIGKILL while hosts boot
  const child = spawn(process.execPath, ['bin/lbrun.js', 'lab', 'up'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/booting/.test(err)) resolve();
    });
    child.on('close', () => resolve());
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  rmSync('/run/lbrun-lab', { recursive: true, force: true });
  rmSync('/run/lbrun-lab.lock', { force: true });
  // and a mount left by an interrupted build
  const stray = '/var/lib/lbrun-lab/stray-mount-test';
  mkdirSync(stray, { recursive: true });
  await new Promise((r) => spawn('mount', ['-t', 'tmpfs', 'lbrun-test', stray]).on('close', r));
  await new Promise((r) => setTimeout(r, 500));
  const pids = await labProcesses();
  t.ok(pids.length > 0, `the killed run left ${pids.length} processes`);
  const namespaces = labNamespaces(pids);
  t.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(stray), 'and the stray mount');

  const r = await runCli(['lab', 'down']);
  t.equal(r.code, 0, r.stderr);
  await assertNothingLeft(t, pids, namespaces);
  rmSync(stray, { recursive: true, force: true });
});
