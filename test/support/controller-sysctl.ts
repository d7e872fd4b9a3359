/**
 * Tests that change the controller's own kernel settings (sysctl -w) hold one machine-wide lock
 * first, so two test files never flip and restore the same value over each other. Held until the
 * test process exits (src/lab/hold-lock.ts: the kernel drops it however the process ends).
 */
import { holdLabLock } from '../../src/lab/hold-lock.js';

export const CONTROLLER_SYSCTL_LOCK = '/run/lbrun-controller-sysctl.lock';

/** Take the lock before reading the value to restore. */
export async function holdControllerSysctl(timeoutMs = 30 * 60_000): Promise<void> {
  await holdLabLock(timeoutMs, CONTROLLER_SYSCTL_LOCK);
}
