/**
 * The processes a lab node starts, as seen by the kernel: strace attached to the node's sshd
 * listener, following every session it forks, records each execve (test/security/lab-exec-trace,
 * test/engine/joined-reads-lab).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_DIR } from '../../src/lab/config.js';

export const STRACE = ['-f', '-qq', '-v', '-s', '65535', '-e', 'trace=execve'];

/** The PID (in the controller's namespace) of a lab node's sshd listener: a child of its PID 1. */
export function sshdListener(host: string): number {
  const rec = JSON.parse(readFileSync(join(RUN_DIR, `host-${host}.json`), 'utf8')) as { init?: { pid: number } };
  if (!rec.init) throw new Error(`${host}: the lab record has no init PID`);
  const out = execFileSync('pgrep', ['-P', String(rec.init.pid), '-x', 'sshd'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  if (out.length !== 1) throw new Error(`${host}: expected one sshd under PID ${rec.init.pid}, found ${JSON.stringify(out)}`);
  return Number(out[0]);
}

/** Attach strace to PID; resolves once it is attached (the process shows a tracer). */
export async function attach(pid: number, out: string): Promise<ChildProcess> {
  const child = spawn('strace', [...STRACE, '-o', out, '-p', String(pid)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (/^TracerPid:\s*[1-9]/m.test(status)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`strace did not attach to PID ${pid}`);
}

export async function detach(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.on('close', r));
  child.kill('SIGINT');
  await done;
}

/** The execve lines of a strace output file (throws when there is none: the tracer saw nothing). */
export function execs(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('execve('));
  if (lines.length === 0) throw new Error(`${file}: no execve recorded`);
  return lines;
}
