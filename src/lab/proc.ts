/** Running commands on the controller, and small process utilities (all by PID). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawnError } from '../setup/missing-command.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** called with each complete line of stdout+stderr as it arrives (progress display) */
  onLine?: (line: string) => void;
}

/** Run a command and capture its output. Never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const feed = (s: string): void => {
      if (!opts.onLine) return;
      pending += s;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        opts.onLine(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      feed(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      feed(d);
    });
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n(timed out after ${opts.timeoutMs} ms)`;
        child.kill('SIGKILL');
      }, opts.timeoutMs);
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(spawnError(cmd, e, 'the lab'));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Run a command; throw with its stderr when it fails. Returns stdout. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const out = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${out}`);
  }
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until fn returns a truthy value or the time is up; returns the value or undefined. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, stepMs = 100): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= end) return undefined;
    await sleep(stepMs);
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null. */
export function startTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[19]);
  } catch {
    return null;
  }
}

/** Is this exact process (PID and start time, so a reused PID does not count) alive and not a zombie? */
export function alive(pid: number, start?: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return false;
    return start === undefined || Number(rest[19]) === start;
  } catch {
    return false;
  }
}

/** Direct children of a process. */
export async function children(pid: number): Promise<number[]> {
  try {
    const s = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return s.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Send a signal to one PID; ignore "no such process". */
export function signal(pid: number, sig: NodeJS.Signals | number): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
