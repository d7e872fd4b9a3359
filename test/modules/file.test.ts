import { lstatSync, mkdtempSync, readdirSync, readlinkSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.6');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});
const fresh = () => mkdtempSync(join(tmpdir(), 'lbrun-file-'));

for (const [state, extra, exists] of [
  ['directory', { mode: '0750' }, (p: string) => statSync(p).isDirectory() && (statSync(p).mode & 0o777) === 0o750],
  ['touch', { mode: '0600' }, (p: string) => statSync(p).isFile() && (statSync(p).mode & 0o777) === 0o600],
  ['link', { src: '/etc/hostname' }, (p: string) => lstatSync(p).isSymbolicLink() && readlinkSync(p) === '/etc/hostname'],
] as const) {
  t.test(`state ${state}: check changes nothing, first run changes, second run is ok and untouched`, async (t) => {
    const dir = fresh();
    const path = join(dir, 'x');
    const args = { path, state, ...extra };
    const check = await runModule('file', moduleContext(conn, { check: true }), args);
    t.equal(check.changed, true);
    t.match(check.plan.msg, /^would /);
    t.same(readdirSync(dir), [], 'check mode created nothing');
    t.equal((await runModule('file', moduleContext(conn), args)).changed, true);
    t.ok(exists(path));
    const before = lstatSync(path);
    const second = await runModule('file', moduleContext(conn), args);
    t.equal(second.changed, false);
    t.equal(lstatSync(path).ctimeMs, before.ctimeMs, 'not touched again');
  });
}

t.test('state absent removes a tree, then is ok', async (t) => {
  const dir = fresh();
  mkdirSync(join(dir, 'gone', 'deep'), { recursive: true });
  const args = { path: join(dir, 'gone'), state: 'absent' };
  t.equal((await runModule('file', moduleContext(conn), args)).changed, true);
  t.same(readdirSync(dir), []);
  t.equal((await runModule('file', moduleContext(conn), args)).changed, false);
});

t.test('recurse sets the mode below a directory, idempotently', async (t) => {
  const dir = fresh();
  writeFileSync(join(dir, 'a'), 'a', { mode: 0o644 });
  const args = { path: dir, state: 'directory', mode: '0700', recurse: true };
  t.equal((await runModule('file', moduleContext(conn), args)).changed, true);
  t.equal(statSync(join(dir, 'a')).mode & 0o777, 0o700);
  t.equal((await runModule('file', moduleContext(conn), args)).changed, false);
});

t.test('a path with shell characters is handled literally', async (t) => {
  const dir = fresh();
  const path = join(dir, "we'ird $(name) `x`");
  await runModule('file', moduleContext(conn), { path, state: 'touch' });
  t.same(readdirSync(dir), ["we'ird $(name) `x`"]);
});
