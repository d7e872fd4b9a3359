/**
 * Runtime records of what the lab started (/run/lbrun-lab/*.json: PIDs with their start times, so a
 * reused PID is never mistaken for ours), and the lab-wide lock that serialises changes.
 */
import { mkdir, readdir, rm, readFile, open } from 'node:fs/promises';
import path from 'node:path';
import { RUN_DIR } from './config.js';
import { readText, writeAtomic } from './fsutil.js';
import { alive, sleep, startTime } from './proc.js';

export interface ProcRecord {
  pid: number;
  start: number;
}

export interface HostRecord {
  kind: 'host';
  name: string;
  address: string;
  veth: string;
  /** the unshare process (in the controller's PID namespace) */
  supervisor: ProcRecord;
  /** the host's PID 1 (systemd), as seen from the controller */
  init?: ProcRecord;
  baseDir: string;
  baseHash: string;
  startedAt: string;
}

export interface BackendRecord {
  kind: 'backend';
  name: string;
  address: string;
  veth: string;
  /** the server process, which also holds the backend's network namespace */
  server: ProcRecord;
  startedAt: string;
}

export type LabRecord = HostRecord | BackendRecord;

function recordPath(kind: string, name: string): string {
  return path.join(RUN_DIR, `${kind}-${name}.json`);
}

export async function saveRecord(rec: LabRecord): Promise<void> {
  await mkdir(RUN_DIR, { recursive: true });
  await writeAtomic(recordPath(rec.kind, rec.name), `${JSON.stringify(rec, null, 2)}\n`);
}

export async function loadRecord<K extends LabRecord['kind']>(
  kind: K,
  name: string,
): Promise<Extract<LabRecord, { kind: K }> | null> {
  const text = await readText(recordPath(kind, name));
  if (!text) return null;
  try {
    return JSON.parse(text) as Extract<LabRecord, { kind: K }>;
  } catch {
    return null;
  }
}

export async function allRecords(): Promise<LabRecord[]> {
  let names: string[];
  try {
    names = await readdir(RUN_DIR);
  } catch {
    return [];
  }
  const out: LabRecord[] = [];
  for (const n of names.filter((f) => f.endsWith('.json')).sort()) {
    try {
      out.push(JSON.parse(await readFile(path.join(RUN_DIR, n), 'utf8')) as LabRecord);
    } catch {
      /* a torn record: ignore, the scan in labDown still finds the processes */
    }
  }
  return out;
}

export async function dropRecord(kind: string, name: string): Promise<void> {
  await rm(recordPath(kind, name), { force: true });
}

export function procRecord(pid: number): ProcRecord {
  return { pid, start: startTime(pid) ?? -1 };
}

export function recAlive(p: ProcRecord | undefined): boolean {
  return !!p && alive(p.pid, p.start);
}

// ---------------------------------------------------------------------------------------------
// The lock: one lab per machine, one process changing it at a time. Re-entrant within a process.

const LOCK = '/run/lbrun-lab.lock';
/** Calls inside this process that currently share the lock (parallel host boots do). */
let holders = 0;
let acquiring: Promise<void> | null = null;

export async function withLock<T>(fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  if (holders === 0) {
    if (!acquiring) {
      acquiring = acquire(timeoutMs).finally(() => {
        acquiring = null;
      });
    }
    await acquiring;
  }
  holders++;
  try {
    return await fn();
  } finally {
    holders--;
    if (holders === 0) await rm(LOCK, { force: true });
  }
}

async function acquire(timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fh = await open(LOCK, 'wx');
      await fh.writeFile(`${process.pid} ${startTime(process.pid)}\n`);
      await fh.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const [pid, start] = ((await readText(LOCK)) ?? '').trim().split(' ').map(Number);
      if (!pid || !alive(pid, start)) {
        // the holder died (or is mid-write): take over a stale lock
        await sleep(50);
        const again = ((await readText(LOCK)) ?? '').trim().split(' ').map(Number);
        if (again[0] === pid && (!pid || !alive(pid, start))) await rm(LOCK, { force: true });
        continue;
      }
      if (Date.now() > end) throw new Error(`the lab is busy: process ${pid} holds ${LOCK}`, { cause: e });
      if (!told) {
        process.stderr.write(`[lab] waiting for process ${pid} (holds ${LOCK})...\n`);
        told = true;
      }
      await sleep(250);
    }
  }
}
