import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { TaskError } from '../../src/errors.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.5');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});

const fresh = () => mkdtempSync(join(tmpdir(), 'lbrun-copy-'));
const stamp = (p: string) => {
  const s = statSync(p);
  return { ino: s.ino, mtimeMs: s.mtimeMs };
};

t.test('first run writes, second run is ok without writing, check mode writes nothing', async (t) => {
  const dir = fresh();
  const dest = join(dir, 'app.conf');
  const args = { content: 'port = 80\n', dest, mode: '0640', owner: 'root', group: 'root' };

  const check = await runModule('copy', moduleContext(conn, { check: true }), args);
  t.equal(check.changed, true);
  t.equal(check.plan.msg, `would create ${dest}`);
  t.same(check.plan.diff, [{ path: dest, before: '', after: 'port = 80\n' }]);
  t.same(readdirSync(dir), [], 'check mode created nothing');

  const first = await runModule('copy', moduleContext(conn), args);
  t.equal(first.changed, true);
  t.equal(readFileSync(dest, 'utf8'), 'port = 80\n');
  t.equal(statSync(dest).mode & 0o777, 0o640);
  const before = stamp(dest);

  const second = await runModule('copy', moduleContext(conn), args);
  t.equal(second.changed, false);
  t.same(stamp(dest), before, 'same inode and mtime: not rewritten');
  t.same(readdirSync(dir), ['app.conf'], 'no temp file left');
});

t.test('a change shows the diff; check mode leaves the file byte-for-byte as it was', async (t) => {
  const dir = fresh();
  const dest = join(dir, 'app.conf');
  writeFileSync(dest, 'port = 80\n');
  const before = stamp(dest);
  const check = await runModule('copy', moduleContext(conn, { check: true }), { content: 'port = 81\n', dest });
  t.same(check.plan.diff, [{ path: dest, before: 'port = 80\n', after: 'port = 81\n' }]);
  t.equal(readFileSync(dest, 'utf8'), 'port = 80\n');
  t.same(stamp(dest), before);
  const real = await runModule('copy', moduleContext(conn), { content: 'port = 81\n', dest });
  t.equal(real.applied!.msg, `update ${dest}`);
  t.equal(readFileSync(dest, 'utf8'), 'port = 81\n');
});

t.test('only a mode change: chmod without rewriting', async (t) => {
  const dir = fresh();
  const dest = join(dir, 'f');
  writeFileSync(dest, 'x', { mode: 0o644 });
  const before = stamp(dest);
  const out = await runModule('copy', moduleContext(conn), { content: 'x', dest, mode: '0600' });
  t.equal(out.plan.msg, `set mode of ${dest}`);
  t.equal(statSync(dest).mode & 0o777, 0o600);
  t.equal(stamp(dest).ino, before.ino);
});

t.test('failed validate leaves the old file and no temp file, and reports the validator output', async (t) => {
  const dir = fresh();
  const dest = join(dir, 'haproxy.cfg');
  writeFileSync(dest, 'good\n');
  const before = stamp(dest);
  const err = await runModule('copy', moduleContext(conn), {
    content: 'bad\n',
    dest,
    validate: 'grep -q good %s || { echo "config invalid: line 1" >&2; exit 1; }',
  }).catch((e: unknown) => e);
  t.type(err, TaskError);
  t.match((err as Error).message, /validation of .*haproxy\.cfg failed.*left unchanged:\nconfig invalid: line 1/s);
  t.equal(readFileSync(dest, 'utf8'), 'good\n');
  t.same(stamp(dest), before);
  t.same(readdirSync(dir), ['haproxy.cfg'], 'temp file removed');
});

t.test('validate gets the temp file; backup keeps the previous version', async (t) => {
  const dir = fresh();
  const dest = join(dir, 'conf');
  writeFileSync(dest, 'old\n');
  const out = await runModule('copy', moduleContext(conn), { content: 'good new\n', dest, validate: 'grep -q good %s', backup: true });
  t.equal(readFileSync(dest, 'utf8'), 'good new\n');
  const backups = readdirSync(dir).filter((f) => /^conf\.\d{14}~$/.test(f));
  t.equal(backups.length, 1);
  t.equal(readFileSync(join(dir, backups[0]), 'utf8'), 'old\n');
  t.equal(out.applied!.result!.backup_file, join(dir, backups[0]));
  t.same(readdirSync(dir).length, 2, 'no temp file left');
});

t.test('an aborted write leaves neither a temp file nor a changed dest', async (t) => {
  const dir = fresh();
  const ctl = fresh(); // the test's own signals, outside dest's folder
  const dest = join(dir, 'conf');
  writeFileSync(dest, 'old\n');
  // validate holds the write in flight (temp file written, not yet renamed) until the test releases it
  const started = join(ctl, 'started');
  const release = join(ctl, 'release');
  t.teardown(() => writeFileSync(release, '')); // frees a validate that survived the abort
  const ac = new AbortController();
  const run = runModule('copy', moduleContext(conn, { signal: ac.signal }), {
    content: 'new\n',
    dest,
    validate: `sh -c 'touch ${started}; while [ ! -e ${release} ]; do sleep 0.1; done' %s`,
  });
  run.catch(() => undefined);
  await until(() => existsSync(started), 60_000, 'validate started');
  t.equal(readdirSync(dir).length, 2, 'the temp file is on the host while the write is in flight');
  ac.abort();
  await t.rejects(run);
  // cleanup may finish just after the task rejects; a rename would show as dest changing
  await until(() => readdirSync(dir).length === 1, 30_000, 'temp file removed');
  t.equal(readFileSync(dest, 'utf8'), 'old\n');
  t.same(readdirSync(dir), ['conf'], 'temp file cleaned up');
});

async function until(ok: () => boolean, limitMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('src is read from files/ on the controller', async (t) => {
  const filesDir = fresh();
  writeFileSync(join(filesDir, 'motd'), 'welcome\n');
  const dest = join(fresh(), 'motd');
  await runModule('copy', moduleContext(conn, { filesDir }), { src: 'motd', dest });
  t.equal(readFileSync(dest, 'utf8'), 'welcome\n');
  t.ok(existsSync(dest));
});

t.test('a dest that is a symlink to a file is replaced by a new 0644 file; the target is left as it was', async (t) => {
  const dir = fresh();
  writeFileSync(join(dir, 't'), 'old\n', { mode: 0o600 });
  symlinkSync('t', join(dir, 'l'));
  const out = await runModule('copy', moduleContext(conn), { content: 'new\n', dest: join(dir, 'l') });
  t.equal(out.changed, true);
  t.ok(lstatSync(join(dir, 'l')).isFile(), 'the link is now a file');
  t.equal(statSync(join(dir, 'l')).mode & 0o7777, 0o644, 'not the mode of the link target');
  t.equal(readFileSync(join(dir, 't'), 'utf8'), 'old\n');
  t.equal(statSync(join(dir, 't')).mode & 0o7777, 0o600);
});

t.test('a dest that is a symlink to a directory is a directory: src goes inside, content fails', async (t) => {
  const filesDir = fresh();
  writeFileSync(join(filesDir, 'motd'), 'welcome\n');
  const dir = fresh();
  mkdirSync(join(dir, 'd'));
  symlinkSync('d', join(dir, 'l'));
  const first = await runModule('copy', moduleContext(conn, { filesDir }), { src: 'motd', dest: join(dir, 'l') });
  t.equal(first.plan.msg, `create ${join(dir, 'l', 'motd')}`);
  t.same(readdirSync(join(dir, 'd')), ['motd'], 'the file, and no temp file, in the linked directory');
  t.ok(lstatSync(join(dir, 'l')).isSymbolicLink());
  const again = await runModule('copy', moduleContext(conn, { filesDir }), { src: 'motd', dest: join(dir, 'l') });
  t.equal(again.changed, false);
  const err = await runModule('copy', moduleContext(conn), { content: 'x\n', dest: join(dir, 'l') }).catch((e: unknown) => e);
  t.match((err as Error).message, /can not use content with a dir as dest/);
  t.same(readdirSync(join(dir, 'd')), ['motd']);
});

t.test('src to a missing dir/ makes the directories with the owner and group (not the mode), as Ansible does', async (t) => {
  const filesDir = fresh();
  writeFileSync(join(filesDir, 'motd'), 'welcome\n');
  const dir = fresh();
  await runModule('copy', moduleContext(conn, { filesDir }), { src: 'motd', dest: join(dir, 'new', 'sub') + '/', owner: 'nobody', mode: '0600' });
  for (const d of [join(dir, 'new'), join(dir, 'new', 'sub')]) {
    t.equal(statSync(d).uid, 65534, `${d} is nobody's`);
    t.equal(statSync(d).mode & 0o7777, 0o755);
  }
  t.equal(statSync(dir).uid, statSync(filesDir).uid, 'the existing directory is left as it was');
  t.equal(statSync(join(dir, 'new', 'sub', 'motd')).mode & 0o7777, 0o600);
  const err = await runModule('copy', moduleContext(conn, { filesDir, check: true }), { src: 'motd', dest: join(dir, 'new', 'sub', 'motd') + '/' }).catch((e: unknown) => e);
  t.match((err as Error).message, /is not a directory/, 'a file where the directory goes fails, in --check too');
});
