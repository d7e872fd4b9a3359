import { readFileSync } from 'node:fs';
import { hostname as controllerHostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

// The sshd runs in its own UTS namespace with a private /etc/hostname: this machine's name is untouched.
const sshd = await startSshd('127.0.0.8', { isolateHostname: true });
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});
const ownName = controllerHostname();

t.test('check mode changes nothing; first run sets both; second run is ok', async (t) => {
  const args = { name: 'lb-test-01' };
  const check = await runModule('hostname', moduleContext(conn, { check: true }), args);
  t.equal(check.plan.msg, 'would set host name lbrun-isolated -> lb-test-01');
  t.same(check.plan.diff, [{ path: '/etc/hostname', before: 'lbrun-isolated\n', after: 'lb-test-01\n' }]);
  t.equal((await conn.run('hostname')).stdout, 'lbrun-isolated\n');
  t.equal((await runModule('hostname', moduleContext(conn), args)).changed, true);
  t.equal((await conn.run('hostname')).stdout, 'lb-test-01\n');
  t.equal(readFileSync(join(sshd.dir, 'hostname'), 'utf8'), 'lb-test-01\n');
  t.equal((await runModule('hostname', moduleContext(conn), args)).changed, false);
  t.equal(controllerHostname(), ownName, 'the controller kept its name');
});
