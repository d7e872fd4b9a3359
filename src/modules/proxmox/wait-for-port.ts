/** Wait, from the controller, until a TCP port accepts connections (SSH on a new container). */
import net from 'node:net';
import { InterruptedError, TaskTimeoutError } from '../../errors.js';

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryConnect(host, port, Math.min(2000, Math.max(100, deadline - Date.now())))) return;
    if (signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${host}:${port}`);
    if (Date.now() >= deadline) {
      throw new TaskTimeoutError(`SSH did not answer on ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
  }
}
