import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { TaskError } from '../../src/errors.js';
import { editLines } from '../../src/modules/support/line-edit.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.10');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});

t.test('edits on text', async (t) => {
  t.equal(editLines('a=1\nb=2\n', { regexp: '^a=', line: 'a=9' }), 'a=9\nb=2\n');
  t.equal(editLines('a=1\n', { line: 'c=3', insertbefore: 'BOF' }), 'c=3\na=1\n');
  t.equal(editLines('[x]\nk=1\n[y]\n', { line: 'n=2', insertafter: '^\\[x\\]' }), '[x]\nn=2\nk=1\n[y]\n');
  t.equal(editLines('a\nb\na\n', { line: 'a', state: 'absent' }), 'b\n');
  t.equal(editLines('a\n', { line: 'a' }), 'a\n');
});

t.test('replace by regexp: check, apply, second run without write, diff', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-lif-'));
  const path = join(dir, 'sshd_config');
  writeFileSync(path, 'Port 22\nPermitRootLogin yes\n', { mode: 0o600 });
  const args = { path, regexp: '^PermitRootLogin ', line: 'PermitRootLogin prohibit-password' };
  const check = await runModule('lineinfile', moduleContext(conn, { check: true }), args);
  t.same(check.plan.diff, [{ path, before: 'Port 22\nPermitRootLogin yes\n', after: 'Port 22\nPermitRootLogin prohibit-password\n' }]);
  t.equal(readFileSync(path, 'utf8'), 'Port 22\nPermitRootLogin yes\n');
  t.equal((await runModule('lineinfile', moduleContext(conn), args)).changed, true);
  t.equal(readFileSync(path, 'utf8'), 'Port 22\nPermitRootLogin prohibit-password\n');
  t.equal(statSync(path).mode & 0o777, 0o600, 'mode of the edited file kept');
  const st = statSync(path);
  t.equal((await runModule('lineinfile', moduleContext(conn), args)).changed, false);
  t.equal(statSync(path).ino, st.ino);
  t.same(readdirSync(dir), ['sshd_config']);
});

t.test('a missing file fails unless create: true; failed validate keeps the old content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-lif-'));
  const path = join(dir, 'new.conf');
  await t.rejects(runModule('lineinfile', moduleContext(conn), { path, line: 'x' }), TaskError);
  await runModule('lineinfile', moduleContext(conn), { path, line: 'x', create: true });
  t.equal(readFileSync(path, 'utf8'), 'x\n');
  await t.rejects(runModule('lineinfile', moduleContext(conn), { path, line: 'bad', validate: '! grep -q bad %s' }), /validation/);
  t.equal(readFileSync(path, 'utf8'), 'x\n');
  t.same(readdirSync(dir), ['new.conf']);
});
