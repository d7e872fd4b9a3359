/**
 * Runs a module step under the task's time limit and the run's abort signal. The step receives a
 * signal that fires on either, so a running command is killed; the engine does not wait for a step
 * that ignores its signal.
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
  try {
    const step = work(ac.signal);
    step.catch(() => {}); // if the stop wins, the step's own late failure is of no interest
    return await Promise.race([step, stopped]);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
}
