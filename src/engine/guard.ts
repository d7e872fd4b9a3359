/**
 * Runs a module step under the task's time limit and the run's abort signal. The step receives a
 * signal that fires on either, so a running command is killed; the engine waits a little for the
 * step to clean up (CLEANUP_GRACE_MS), never longer: a step that ignores its signal is not waited out.
 */
import { InterruptedError, TaskTimeoutError } from '../errors.js';

export async function guarded<T>(
  work: (signal: AbortSignal) => Promise<T>,
  runSignal: AbortSignal,
  timeoutMs: number | undefined,
): Promise<T> {
  if (runSignal.aborted) throw new InterruptedError('interrupted');
  const ac = new AbortController();
  const onRunAbort = () => ac.abort(new InterruptedError('interrupted'));
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => ac.abort(new TaskTimeoutError(`task timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  const stopped = new Promise<never>((_, reject) => {
    ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true });
  });
  const step = work(ac.signal);
  step.catch(() => {}); // if the stop wins, the step's own late failure is of no interest
  try {
    return await Promise.race([step, stopped]);
  } catch (err) {
    // Stopped: give the step a bounded moment to clean up after its killed command (remove its temp
    // file) while the connection is still open; a step that ignores its signal is not waited out.
    if (ac.signal.aborted) await Promise.race([step.then(noop, noop), new Promise((r) => setTimeout(r, CLEANUP_GRACE_MS).unref())]);
    throw err;
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
}

/** How long a stopped step may take to clean up before the engine moves on. */
const CLEANUP_GRACE_MS = 5_000;

function noop(): void {}
