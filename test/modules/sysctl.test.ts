import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { holdControllerSysctl } from '../support/controller-sysctl.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.11');
const conn = createConnection('h1', sshd.settings());
// the controller's sysctl is shared by every test file: hold its lock before reading the value to restore
await holdControllerSysctl();
const NAME = 'net.ipv4.ip_nonlocal_bind';
const live = () => execFileSync('sysctl', ['-n', NAME]).toString().trim();
const original = live();
t.teardown(async () => {
  execFileSync('sysctl', ['-w', `${NAME}=${original}`]);
  await conn.close();
  await sshd.stop();
});

t.test('persisted in the file and applied live; second run ok; check mode changes nothing', async (t) => {
  const want = original === '1' ? '0' : '1';
  const file = join(mkdtempSync(join(tmpdir(), 'lbrun-sysctl-')), 'lb.conf');
  writeFileSync(file, '  # lb\n');
  const args = { name: NAME, value: want, sysctl_file: file };
  const check = await runModule('sysctl', moduleContext(conn, { check: true }), args);
  t.equal(check.plan.msg, `would set ${NAME}=${want} (live value "${original}")`);
  t.same(check.plan.diff, [{ path: file, before: '  # lb\n', after: `# lb\n${NAME}=${want}\n` }], 'written as ansible.posix writes: k=v, lines stripped');
  t.equal(live(), original);
  t.equal(readFileSync(file, 'utf8'), '  # lb\n');

  t.equal((await runModule('sysctl', moduleContext(conn), args)).changed, true);
  t.equal(live(), want);
  t.equal(readFileSync(file, 'utf8'), `# lb\n${NAME}=${want}\n`);
  const st = statSync(file);
  t.equal((await runModule('sysctl', moduleContext(conn), args)).changed, false);
  t.equal(statSync(file).mtimeMs, st.mtimeMs);
});
