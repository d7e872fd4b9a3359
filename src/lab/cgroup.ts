/**
 * Every process the lab starts lives in the cgroup v2 subtree lbrun-lab/ (under
 * /sys/fs/cgroup/unified on a hybrid layout, /sys/fs/cgroup on a unified one)
 * (one child per host, backends under backends/). Each host gets its own cgroup namespace rooted
 * at its child, so its systemd manages its own tree. The subtree is also how `lab down` finds
 * every lab process, even after a killed run.
 */
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readFileSync } from 'node:fs';

/** Where cgroup v2 is mounted on the controller, or null. */
export function cgroup2Mount(): string | null {
  let mounts: string[];
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  } catch {
    return null;
  }
  const points = mounts
    .map((l) => l.split(' '))
    .filter((f) => f.length > 8 && f[f.indexOf('-') + 1] === 'cgroup2')
    .map((f) => f[4]);
  for (const want of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup']) if (points.includes(want)) return want;
  return points[0] ?? null;
}

let rootMemo: string | null = null;
/** The lab's cgroup subtree. */
export function cgroupRoot(): string {
  rootMemo ??= path.join(cgroup2Mount() ?? '/sys/fs/cgroup/unified', 'lbrun-lab');
  return rootMemo;
}

export async function cgroupAvailable(): Promise<boolean> {
  return cgroup2Mount() !== null;
}

export function cgroupPath(...parts: string[]): string {
  return path.join(cgroupRoot(), ...parts);
}

export async function ensureCgroup(...parts: string[]): Promise<string> {
  const p = cgroupPath(...parts);
  await mkdir(p, { recursive: true });
  return p;
}

/** Move a process into a lab cgroup. */
export async function moveTo(pid: number, ...parts: string[]): Promise<void> {
  const p = await ensureCgroup(...parts);
  await writeFile(path.join(p, 'cgroup.procs'), `${pid}\n`);
}

/** Every PID in a cgroup and its descendants. */
export async function pidsIn(dir = cgroupRoot()): Promise<number[]> {
  const out: number[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      for (const s of (await readFile(path.join(d, 'cgroup.procs'), 'utf8')).split('\n')) {
        if (s.trim()) out.push(Number(s));
      }
    } catch {
      /* gone */
    }
    for (const e of entries) if (e.isDirectory()) await walk(path.join(d, e.name));
  };
  await walk(dir);
  return out;
}

/** Remove a cgroup directory tree (deepest first); they must be empty of processes. */
export async function removeCgroup(dir = cgroupRoot()): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeCgroup(path.join(dir, e.name));
  try {
    await rmdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
