/**
 * Waiting for a Proxmox VE worker task. Long operations (create, start, stop, shutdown, destroy,
 * resize) answer with a UPID at once and run in the background; per the API viewer,
 * GET /nodes/{node}/tasks/{upid}/status reports `status: running|stopped` and, once stopped,
 * `exitstatus`: "OK" on success, otherwise the error text (for example "unable to create CT 101 - ...").
 * UPID format (PVE::Tools::upid_encode): UPID:node:pid:pstart:starttime:type:id:user:
 */
import { InterruptedError, TaskError, TaskTimeoutError } from '../../errors.js';
import type { PveClient } from './api-client.js';

export interface TaskStatus {
  status: 'running' | 'stopped';
  exitstatus?: string;
  type?: string;
  id?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** First poll delay; it doubles up to 1 s. */
  firstDelayMs?: number;
}

/** True for a string the API returns as a worker task id. */
export function isUpid(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('UPID:');
}

/** The node a UPID ran on (the second field). */
export function upidNode(upid: string): string {
  return upid.split(':')[1] ?? '';
}

/** Poll until the task stops; throw TaskError with the task's exit status unless it is "OK". */
export async function waitForTask(client: PveClient, upid: string, what: string, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = opts.firstDelayMs ?? 100;
  // The UPID is one path segment, URL-encoded (as the PVE web UI's task viewer does).
  const path = `/nodes/${encodeURIComponent(upidNode(upid))}/tasks/${encodeURIComponent(upid)}/status`;
  for (;;) {
    const st = await client.get<TaskStatus>(path);
    if (st.status === 'stopped') {
      if (st.exitstatus === 'OK') return;
      throw new TaskError(client.redact(`${what} failed: Proxmox task ${upid} ended with: ${st.exitstatus ?? 'unknown'}`), {
        upid,
        exitstatus: st.exitstatus,
      });
    }
    if (opts.signal?.aborted) throw new InterruptedError(`${what}: interrupted while Proxmox task ${upid} was running`);
    if (Date.now() + delay > deadline) {
      throw new TaskTimeoutError(`${what}: Proxmox task ${upid} still running after ${Math.round(opts.timeoutMs / 1000)} s`, { upid });
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}
