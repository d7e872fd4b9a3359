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

t.test('waits from the host until a port opens; ok, not changed', async (t) => {
  const srv = createServer((s) => s.destroy());
  setTimeout(() => srv.listen(0, '127.0.0.13'), 800);
  await new Promise((r) => setTimeout(r, 900));
  const port = (srv.address() as { port: number }).port;
  const out = await runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port, timeout: 5 });
  t.equal(out.changed, false);
  t.match(out.plan.msg, `127.0.0.13:${port} open after`);
  await new Promise<void>((r) => srv.close(() => r()));
  const closed = await runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port, state: 'stopped', timeout: 5 });
  t.equal(closed.changed, false);
});

t.test('times out with a clear error; check mode does not wait', async (t) => {
  const started = Date.now();
  const err = await runModule('wait_for', moduleContext(conn), { host: '127.0.0.13', port: 1, timeout: 1 }).catch((e: unknown) => e);
  t.type(err, TaskError);
  t.match((err as Error).message, 'timed out after 1 s waiting for 127.0.0.13:1 open on h1');
  t.ok(Date.now() - started < 6000);
  const check = await runModule('wait_for', moduleContext(conn, { check: true }), { port: 1, timeout: 100 });
  t.equal(check.plan.msg, 'would wait for 127.0.0.1:1 open');
});
