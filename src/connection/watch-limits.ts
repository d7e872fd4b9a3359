/** A running command's limits (ExecLimits): its time limit and the run's interrupt. */
import { InterruptedError, TaskTimeoutError } from '../errors.js';
import type { ExecLimits } from './shell-connection.js';

/**
 * Calls `stop` with the error the command on `host` fails with when its time is up or the signal
 * aborts; the returned release() ends the watch (call it when the command has ended).
 */
export function watchLimits(limits: ExecLimits, host: string, stop: (why: Error) => void): () => void {
  const timer =
    limits.timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop(new TaskTimeoutError(`command timed out after ${limits.timeoutMs} ms on ${host}`)), limits.timeoutMs);
  const onAbort = () => stop(new InterruptedError(`command interrupted on ${host}`));
  // an abort while the command was being started (its channel opening) has already fired
  if (limits.signal?.aborted) queueMicrotask(onAbort);
  else limits.signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', onAbort);
  };
}
