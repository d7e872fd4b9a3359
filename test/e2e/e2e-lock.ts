/**
 * The end-to-end files share one lab: they must not run at the same time (tap runs files in
 * parallel). A lock directory with the owner's PID; a lock whose owner is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const LOCK_DIR = join(tmpdir(), 'lbrun-e2e.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
    if (!pid) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Wait for the lock (up to timeoutMs); returns the release function. */
export async function acquireE2eLock(timeoutMs = 30 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // an owner that died without releasing (give a new owner a moment to write its pid)
    await new Promise((r) => setTimeout(r, 500));
    if (!ownerAlive()) {
      try {
        const pid = readFileSync(join(LOCK_DIR, 'pid'), 'utf8');
        if (pid) rmSync(LOCK_DIR, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}`);
  }
}
