/**
 * One user of the lab at a time (test files, the bench): an exclusive flock(2) on a lock file,
 * held by a small child process (`flock LOCK cat`) whose stdin is a pipe from this process. When
 * this process exits, however it dies, the pipe closes, cat ends and the kernel drops the lock:
 * no PID files, no stale locks, no race between waiters.
 */
import { spawn } from 'node:child_process';
import { spawnError } from '../setup/missing-command.js';

export const LAB_LOCK = '/run/lbrun-lab-tests.lock';

const held = new Map<string, Promise<void>>();
const holders = new Map<string, () => void>();

/** Wait (up to timeoutMs) for the lock, then hold it until this process exits. Idempotent. */
export function holdLabLock(timeoutMs = 60 * 60_000, path = LAB_LOCK): Promise<void> {
  let p = held.get(path);
  if (!p) {
    p = acquire(path, timeoutMs);
    held.set(path, p);
    p.catch(() => held.delete(path));
  }
  return p;
}

/** Give the lock back before this process exits (no-op when not held). */
export function releaseLabLock(path = LAB_LOCK): void {
  holders.get(path)?.();
  holders.delete(path);
  held.delete(path);
}

function acquire(path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
    const child = spawn('flock', ['-x', '-w', seconds, path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('locked')) return;
      // keep the holder (and our end of its stdin) without keeping this process alive
      child.stdout.removeAllListeners('data');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      holders.set(path, () => child.stdin.end());
      resolve();
    });
    child.on('error', (e) => reject(spawnError('flock', e, `taking the lab lock ${path}`)));
    child.on('exit', (code) => {
      if (!out.includes('locked')) {
        reject(new Error(`the lab is held by another process (${path}); waited ${seconds} s${err ? `: ${err.trim()}` : ''} (exit ${code})`));
      }
    });
  });
}
