import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { getModule } from '../../src/modules/index.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.7');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});

t.test('renders on the controller, writes once, diff in check mode leaves the file as it was', async (t) => {
  const filesDir = mkdtempSync(join(tmpdir(), 'lbrun-tpl-src-'));
  writeFileSync(join(filesDir, 'app.conf.mustache'), 'listen {{ port }}\n');
  const dest = join(mkdtempSync(join(tmpdir(), 'lbrun-tpl-')), 'app.conf');
  const args = { src: 'app.conf.mustache', dest, mode: '0644' };
  t.same(getModule('template')!.templates!(args), ['app.conf.mustache']);

  const first = await runModule('template', moduleContext(conn, { filesDir, vars: { port: 80 } }), args);
  t.equal(first.changed, true);
  t.equal(readFileSync(dest, 'utf8'), 'listen 80\n');
  const st = statSync(dest);
  const again = await runModule('template', moduleContext(conn, { filesDir, vars: { port: 80 } }), args);
  t.equal(again.changed, false);
  t.equal(statSync(dest).mtimeMs, st.mtimeMs);

  const check = await runModule('template', moduleContext(conn, { filesDir, vars: { port: 81 }, check: true }), args);
  t.equal(check.changed, true);
  t.same(check.plan.diff, [{ path: dest, before: 'listen 80\n', after: 'listen 81\n' }]);
  t.equal(readFileSync(dest, 'utf8'), 'listen 80\n');
  t.equal(statSync(dest).mtimeMs, st.mtimeMs);
});

t.test('CRLF line ends of the template become LF, as with Jinja in Ansible', async (t) => {
  const filesDir = mkdtempSync(join(tmpdir(), 'lbrun-tpl-src-'));
  writeFileSync(join(filesDir, 'crlf.mustache'), 'a\r\nport {{port}}\r\n');
  const dest = join(mkdtempSync(join(tmpdir(), 'lbrun-tpl-')), 'out');
  await runModule('template', moduleContext(conn, { filesDir, vars: { port: 80 } }), { src: 'crlf.mustache', dest });
  t.equal(readFileSync(dest, 'utf8'), 'a\nport 80\n');
});
