import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { TaskError } from '../../src/errors.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.13');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});

/** A port nothing listens on now (the kernel's pick, closed again at once). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.13', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves once the host's wait loop for this port has probed and found the state not yet reached:
 *  its `sleep` between probes runs only after a probe that did not reach the state. */
async function waitLoopSleeping(port: number, limitMs = 60_000): Promise<void> {
  const marker = `/dev/tcp/127.0.0.13/${port}`;
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep') continue;
        const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1];
        if (readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes(marker)) return;
      } catch {
        // the process ended while we looked
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no wait loop for ${marker} sleeping between probes after ${limitMs} ms`);
}

t.test('waits from the host until a port opens, then until it closes; ok, not changed', async (t) => {
  const port = await freePort();
  const srv = createServer((s) => s.destroy());
  // the port opens only once the host has probed it closed: the wait is what this test sees
  const opened = runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port, timeout: 120 });
  await waitLoopSleeping(port);
  await new Promise<void>((r) => srv.listen(port, '127.0.0.13', () => r()));
  const out = await opened;
  t.equal(out.changed, false);
  t.match(out.plan.msg, `127.0.0.13:${port} open after`);

  const closed = runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port, state: 'stopped', timeout: 120 });
  await waitLoopSleeping(port);
  await new Promise<void>((r) => srv.close(() => r()));
  const out2 = await closed;
  t.equal(out2.changed, false);
  t.match(out2.plan.msg, `127.0.0.13:${port} closed after`);
});

t.test('times out with a clear error; check mode does not wait', async (t) => {
  const started = Date.now();
  const err = await runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port: 1, timeout: 1 }).catch((e: unknown) => e);
  t.type(err, TaskError);
  t.match((err as Error).message, 'timed out after 1 s waiting for 127.0.0.13:1 open on h1');
  // the 1 s limit was honoured, not wait_for's default of 300 s (bound loose enough for a loaded machine)
  t.ok(Date.now() - started < 60_000, `stopped after ${Date.now() - started} ms`);
  const checkStarted = Date.now();
  const check = await runModule('wait_for', moduleContext(conn, { check: true }), { port: 1, timeout: 100 });
  t.ok(Date.now() - checkStarted < 60_000, 'check mode did not wait for the 100 s timeout');
  t.equal(check.plan.msg, 'would wait for 127.0.0.1:1 open');
});
