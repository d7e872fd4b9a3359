/**
 * One lab host: an overlay root over the base, fresh namespaces, its own systemd, eth0 on the
 * bridge. ensureHost starts or repairs it; stopHost stops it (by PID) and removes its links;
 * removeHost also forgets its disk and keys.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { baseHash } from './base.js';
import { BRIDGE_ADDRESS, HOSTS_DIR, PREFIX, checkHostSpec, vethName, type HostSpec } from './config.js';
import { cgroupPath, ensureCgroup, moveTo, pidsIn, removeCgroup } from './cgroup.js';
import { exists, readText, rmrf } from './fsutil.js';
import { writeIdentity } from './identity.js';
import { ensureHostKey, forgetHostKey, writeKnownHosts } from './keys.js';
import { progress } from './log.js';
import { addVeth, configureInside, deleteLink, vethAttached } from './network.js';
import { prepare } from './prepare.js';
import { children, run, signal, sleep, waitFor, type RunResult } from './proc.js';
import {
  allRecords,
  dropRecord,
  loadRecord,
  procRecord,
  recAlive,
  saveRecord,
  withLock,
  type HostRecord,
} from './state.js';

const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

export interface HostState {
  name: string;
  address: string | null;
  /** its systemd (PID 1 inside) is alive */
  running: boolean;
  /** controller-side PID of the host's systemd */
  pid: number | null;
  /** the unshare process that holds the host's namespaces */
  supervisorPid: number | null;
  veth: string;
  /** the host runs on the current base recipe */
  current: boolean;
  startedAt: string | null;
  /** the host's directory on the controller (upper/work of its overlay, console.log) */
  dir: string;
}

export function hostDir(name: string): string {
  return path.join(HOSTS_DIR, name);
}

/** The state of one host, from its runtime record checked against the live processes. */
export async function hostState(name: string): Promise<HostState> {
  const rec = await loadRecord('host', name);
  const running = !!rec && recAlive(rec.supervisor) && recAlive(rec.init);
  const current = !!rec && rec.baseHash === baseHash();
  return {
    name,
    address: rec?.address ?? null,
    running,
    pid: running ? rec.init!.pid : null,
    supervisorPid: running ? rec.supervisor.pid : null,
    veth: rec?.veth ?? vethName(name),
    current,
    startedAt: rec?.startedAt ?? null,
    dir: hostDir(name),
  };
}

/** Names of every host the lab has a record of (running or not). */
export async function knownHosts(): Promise<string[]> {
  return (await allRecords()).filter((r) => r.kind === 'host').map((r) => r.name);
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
}

/**
 * Run a shell command inside a running host by entering its namespaces (nsenter: no SSH needed).
 * The command runs as root with a clean environment.
 */
export async function hostExec(name: string, cmd: string, opts: ExecOptions = {}): Promise<RunResult> {
  const st = await hostState(name);
  if (!st.running || !st.pid) throw new Error(`lab host ${name} is not running`);
  return execIn(st.pid, cmd, opts);
}

function execIn(pid: number, cmd: string, opts: ExecOptions = {}): Promise<RunResult> {
  return run(
    'nsenter',
    ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-C', '-r', '-w',
      '/usr/bin/env', '-i', PATH, 'LC_ALL=C', 'HOME=/root', '/bin/sh', '-c', cmd],
    { timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input },
  );
}

/** Does something answer with an SSH banner on address:22? */
export function sshBanner(address: string, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port: 22 });
    let buf = '';
    const done = (v: string | null): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(null));
    sock.on('error', () => done(null));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\n');
      if (i >= 0) done(buf.startsWith('SSH-') ? buf.slice(0, i).trim() : null);
    });
    sock.on('end', () => done(null));
  });
}

export interface EnsureHostOptions {
  /** wait until sshd answers and systemd finished booting (default true) */
  wait?: boolean;
  timeoutMs?: number;
}

/** Start a lab host, or repair it when it is already running. Idempotent. Returns its state. */
export async function ensureHost(spec: HostSpec, opts: EnsureHostOptions = {}): Promise<HostState> {
  checkHostSpec(spec);
  return withLock(async () => {
    for (const r of await allRecords()) {
      if (r.name !== spec.name && r.address === spec.address && (r.kind === 'backend' || (await hostState(r.name)).running)) {
        throw new Error(`lab address ${spec.address} is already used by ${r.name}`);
      }
    }
    const prep = await prepare();
    const hostKey = await ensureHostKey(spec.name, spec.address);
    await writeKnownHosts();
    const identity = { name: spec.name, address: spec.address, keys: prep.keys, hostKey };
    const st = await hostState(spec.name);
    if (st.running && st.address !== spec.address) {
      throw new Error(`lab host ${spec.name} runs with address ${st.address}, not ${spec.address}: remove it first`);
    }
    if (st.running) {
      if (!st.current) progress(`${spec.name} runs on an older base: \`lbrun lab down\` then \`up\` to rebuild it`);
      // repair: network, identity (keys, password) — cheap when nothing changed
      if (!(await vethAttached(st.veth))) {
        progress(`${spec.name}: repairing its network link`);
        await addVeth(st.veth, st.pid!, spec.address);
        await configureInside(st.pid!, spec.address);
      }
      const keyChanged = await writeIdentity(`/proc/${st.pid}/root`, identity);
      if (keyChanged) await execIn(st.pid!, 'systemctl restart ssh');
    } else {
      await stopHost(spec.name, { quiet: true });
      await boot(spec, prep, identity);
    }
    if (opts.wait !== false) await waitReady(spec, opts.timeoutMs ?? 120_000);
    return hostState(spec.name);
  });
}

async function boot(
  spec: HostSpec,
  prep: Awaited<ReturnType<typeof prepare>>,
  identity: Parameters<typeof writeIdentity>[1],
): Promise<void> {
  const dir = hostDir(spec.name);
  const veth = vethName(spec.name);
  // a host directory made from another base is unusable: start it afresh
  const stamp = path.join(dir, 'base');
  if ((await readText(stamp))?.trim() !== prep.base.dir) await rmrf(dir);
  for (const d of ['upper', 'work', 'root']) await mkdir(path.join(dir, d), { recursive: true, mode: 0o755 });
  await writeFile(stamp, `${prep.base.dir}\n`);

  await removeCgroup(cgroupPath(spec.name));
  const procs = path.join(await ensureCgroup(spec.name), 'cgroup.procs');
  const logPath = path.join(dir, 'console.log');
  const log = openSync(logPath, 'a');
  const args = [
    path.join(dir, 'root'),
    prep.base.dir,
    path.join(dir, 'upper'),
    path.join(dir, 'work'),
    prep.repoDir,
    spec.name,
    `${spec.address}/${PREFIX}`,
    BRIDGE_ADDRESS,
  ];
  // join the host's cgroup first, so that the new cgroup namespace is rooted there
  const child = spawn(
    '/bin/sh',
    ['-c', 'echo $$ > "$0" && exec unshare --cgroup --pid --fork --mount --uts --ipc --net /bin/sh "$@"',
      procs, prep.bootScript, ...args],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.on('error', () => {}); // a start that failed has no pid: reported below
  child.unref();
  const supPid = child.pid;
  if (!supPid) throw new Error(`cannot start lab host ${spec.name}`);
  const rec: HostRecord = {
    kind: 'host',
    name: spec.name,
    address: spec.address,
    veth,
    supervisor: procRecord(supPid),
    baseDir: prep.base.dir,
    baseHash: prep.base.hash,
    startedAt: new Date().toISOString(),
  };
  await saveRecord(rec);
  const fail = async (what: string): Promise<never> => {
    const tail = ((await readText(logPath)) ?? '').trim().split('\n').slice(-15).join('\n');
    throw new Error(`lab host ${spec.name}: ${what}; ${logPath} ends with:\n${tail}`);
  };
  // the unshare process forks the host's PID 1 (still the boot script at this point)
  const init = await waitFor(async () => {
    const c = await children(supPid);
    return c.length ? c[0] : 0;
  }, 10_000, 20);
  if (!init) return fail('its namespaces were not created');
  rec.init = procRecord(init);
  await saveRecord(rec);
  // the unshare process itself must not sit inside the host's cgroup tree
  await moveTo(supPid, 'supervisors');
  const rootThere = `/proc/${init}/root${path.join(dir, 'root')}`;
  const mounted = await waitFor(() => exists(path.join(rootThere, 'etc/os-release')), 20_000, 20);
  if (!mounted || !recAlive(rec.init)) return fail('its root was not mounted');
  await writeIdentity(rootThere, identity);
  await addVeth(veth, init, spec.address);
  progress(`${spec.name}: booting (${spec.address})`);
}

/** Wait until sshd answers on the host's address and systemd finished booting. */
async function waitReady(spec: HostSpec, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let system: string;
  for (;;) {
    const st = await hostState(spec.name);
    if (!st.running || !st.pid) {
      const tail = ((await readText(path.join(st.dir, 'console.log'))) ?? '').trim().split('\n').slice(-15).join('\n');
      throw new Error(`lab host ${spec.name} stopped while booting; its console.log ends with:\n${tail}`);
    }
    const r = await execIn(st.pid, 'systemctl is-system-running', { timeoutMs: 10_000 });
    system = r.stdout.trim();
    if ((system === 'running' || system === 'degraded') && (await sshBanner(spec.address))) return;
    if (Date.now() > end) {
      const failed = await execIn(st.pid, 'systemctl --failed --no-legend --plain; systemctl list-jobs --no-legend', { timeoutMs: 10_000 });
      throw new Error(
        `lab host ${spec.name} not ready after ${Math.round(timeoutMs / 1000)} s (systemd: ${system || 'no answer'}, ` +
          `sshd ${(await sshBanner(spec.address)) ? 'up' : 'not answering'}):\n${failed.stdout.trim()}`,
      );
    }
    await sleep(250);
  }
}

export interface StopOptions {
  quiet?: boolean;
}

/**
 * Stop a host: SIGKILL to its PID 1 (which ends every process of its PID namespace, and with them
 * its mount and network namespaces), then any process left in its cgroup, by PID; remove its veth
 * and cgroup. Keeps its disk (upper directory) for the next boot.
 */
export async function stopHost(name: string, opts: StopOptions = {}): Promise<void> {
  await withLock(async () => {
    const rec = await loadRecord('host', name);
    const pids: number[] = [];
    if (rec?.init && recAlive(rec.init)) pids.push(rec.init.pid);
    if (rec && recAlive(rec.supervisor)) pids.push(rec.supervisor.pid);
    if (!opts.quiet && pids.length) progress(`${name}: stopping`);
    for (const p of pids) signal(p, 'SIGKILL');
    const cg = cgroupPath(name);
    const gone = await waitFor(async () => {
      const left = await pidsIn(cg);
      for (const p of left) signal(p, 'SIGKILL');
      return left.length === 0 && !(rec && recAlive(rec.supervisor));
    }, 10_000, 50);
    if (!gone) throw new Error(`lab host ${name}: processes survive SIGKILL (cgroup ${cg})`);
    await deleteLink(rec?.veth ?? vethName(name));
    await removeCgroup(cg);
    await dropRecord('host', name);
  });
}

/** Stop a host and forget it: its disk, its host key and its known_hosts entry. */
export async function removeHost(name: string): Promise<void> {
  await withLock(async () => {
    await stopHost(name);
    await rmrf(hostDir(name));
    await forgetHostKey(name);
    await writeKnownHosts();
  });
}

/** Memory of a host: the sum of its processes' RSS and PSS (shared pages split between users). */
export async function hostMemory(name: string): Promise<{ rssKiB: number; pssKiB: number; processes: number }> {
  const pids = await pidsIn(cgroupPath(name));
  let rss = 0;
  let pss = 0;
  for (const p of pids) {
    try {
      const t = await readFile(`/proc/${p}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return { rssKiB: rss, pssKiB: pss, processes: pids.length };
}

export { execIn as execInPid };
