/**
 * `lab down`: stop every process the lab started (by PID), unmount every lab mount, remove every
 * lab link, namespace and cgroup, and the hosts' disks. Works from the runtime records and also
 * by scanning, so a lab left behind by a killed run is cleaned up too.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { BOOT_SCRIPT_PATH } from './boot.js';
import { SERVER_SCRIPT_PATH } from './backends.js';
import { cgroupRoot, pidsIn, removeCgroup } from './cgroup.js';
import { CACHE_DIR, HOSTS_DIR, LIB_DIR, RUN_DIR } from './config.js';
import { exists, rmrf } from './fsutil.js';
import { progress } from './log.js';
import { labLinks } from './network.js';
import { run, signal, waitFor } from './proc.js';
import { allRecords, recAlive, withLock } from './state.js';

const LAB_DIRS = [LIB_DIR, CACHE_DIR, RUN_DIR];
/** Commands the lab runs on its directories while building. */
const BUILDERS = new Set(['debootstrap', 'apt-get', 'dpkg-scanpackages', 'cp', 'chroot', 'unshare', 'nsenter']);
const under = (p: string): boolean => LAB_DIRS.some((d) => p === d || p.startsWith(`${d}/`));

export interface Leftovers {
  /** PIDs of processes that belong to the lab */
  processes: number[];
  /** mount points (in the controller's mount namespace) inside the lab's directories */
  mounts: string[];
  /** links named lbrun0 or lbv-* */
  links: string[];
  /** named network namespaces of the lab (ip netns) */
  namespaces: string[];
  /** the lab's cgroup directory exists */
  cgroup: boolean;
}

/** Every process that belongs to the lab: in its cgroup, running its scripts, or rooted in its dirs. */
export async function labProcesses(): Promise<number[]> {
  const found = new Set(await pidsIn());
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      if (cmd.includes(BOOT_SCRIPT_PATH) || cmd.includes(SERVER_SCRIPT_PATH)) found.add(pid);
      // a build step of a killed run (debootstrap, the repository download, the base copy)
      if (cmd.some((a) => BUILDERS.has(path.basename(a))) && cmd.some((a) => LAB_DIRS.some((d) => a.includes(`${d}/`)))) {
        found.add(pid);
      }
      const root = await readlink(`/proc/${pid}/root`);
      if (root !== '/' && under(root)) found.add(pid);
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return [...found].sort((a, b) => a - b);
}

async function labMounts(): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, ' '))
    .filter(under);
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

async function labNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith('lbrun'));
}

/** What of the lab is still there. All empty/false after a successful `lab down`. */
export async function labLeftovers(): Promise<Leftovers> {
  return {
    processes: await labProcesses(),
    mounts: await labMounts(),
    links: await labLinks(),
    namespaces: await labNamespaces(),
    cgroup: await exists(cgroupRoot()),
  };
}

export interface DownOptions {
  /** keep the hosts' disks (overlay upper directories) for the next `up` (default: remove them) */
  keepDisks?: boolean;
}

export interface DownReport {
  /** how many processes were sent SIGKILL */
  killed: number;
  unmounted: string[];
  links: string[];
  durationMs: number;
}

export async function labDown(opts: DownOptions = {}): Promise<DownReport> {
  return withLock(async () => {
    const t0 = Date.now();
    const killed = new Set<number>();
    // 1. what the records say we started: hosts' PID 1 (ends the whole PID namespace) and servers
    for (const r of await allRecords()) {
      for (const p of r.kind === 'host' ? [r.init, r.supervisor] : [r.server]) {
        if (p && recAlive(p)) {
          signal(p.pid, 'SIGKILL');
          killed.add(p.pid);
        }
      }
    }
    // 2. whatever else belongs to the lab (a killed run, a lost record), by PID, until none is left
    const gone = await waitFor(async () => {
      const left = await labProcesses();
      for (const p of left) {
        signal(p, 'SIGKILL');
        killed.add(p);
      }
      return left.length === 0;
    }, 20_000, 100);
    if (!gone) throw new Error(`lab processes survive SIGKILL: ${(await labProcesses()).join(' ')}`);
    // 3. mounts left in the controller's namespace (e.g. by an interrupted debootstrap)
    const unmounted: string[] = [];
    for (const m of await labMounts()) {
      if ((await run('umount', [m])).code !== 0) await run('umount', ['-l', m]);
      unmounted.push(m);
    }
    // 4. links (veths first, then the bridge) and named namespaces
    const links = await labLinks();
    for (const l of links.sort((a, b) => (a === 'lbrun0' ? 1 : b === 'lbrun0' ? -1 : 0))) {
      await run('ip', ['link', 'del', 'dev', l]);
    }
    for (const ns of await labNamespaces()) await run('ip', ['netns', 'del', ns]);
    // 5. cgroups, runtime records, disks
    await removeCgroup();
    await rmrf(RUN_DIR);
    if (!opts.keepDisks) await rmrf(HOSTS_DIR);
    await rmrf(path.join(LIB_DIR, 'backends'));
    // 6. the kernel tears veths down with their namespaces asynchronously: wait, then verify
    await waitFor(async () => (await labLinks()).length === 0, 5000, 50);
    const left = await labLeftovers();
    const bad = [
      left.processes.length && `processes ${left.processes.join(' ')}`,
      left.mounts.length && `mounts ${left.mounts.join(' ')}`,
      left.links.length && `links ${left.links.join(' ')}`,
      left.namespaces.length && `namespaces ${left.namespaces.join(' ')}`,
      left.cgroup && `cgroup ${cgroupRoot()}`,
    ].filter(Boolean);
    if (bad.length) throw new Error(`lab down left behind: ${bad.join('; ')}`);
    const durationMs = Date.now() - t0;
    progress(`lab down in ${(durationMs / 1000).toFixed(1)} s`);
    return { killed: killed.size, unmounted, links, durationMs };
  });
}
