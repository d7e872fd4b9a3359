import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.4');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});
const dir = mkdtempSync(join(tmpdir(), 'lbrun-command-'));

t.test('argv runs a program with its arguments as given; nothing is shell syntax', async (t) => {
  const marker = join(dir, 'injected');
  const out = await runModule('command', moduleContext(conn), { argv: ['printf', '%s|', `; touch ${marker}`, '$(id)', "it's"] });
  t.equal(out.changed, true);
  t.match(out.applied!.result, { rc: 0, stdout: `; touch ${marker}|$(id)|it's|`, stdout_lines: [`; touch ${marker}|$(id)|it's|`] });
  t.notOk(existsSync(marker), 'no injected command ran');
});

t.test('cmd string is split into words without running shell syntax', async (t) => {
  const out = await runModule('command', moduleContext(conn), { cmd: `echo "a  b" 'c d' $HOME | cat` });
  t.equal(out.applied!.result!.stdout, 'a  b c d $HOME | cat');
});

t.test('chdir, environment and stdin; a failing command is failed with rc and stderr', async (t) => {
  const ok = await runModule('command', moduleContext(conn), {
    argv: ['sh', '-c', 'printf "%s %s " "$GREETING" "$(pwd)"; cat'],
    chdir: dir,
    environment: { GREETING: 'hi there' },
    stdin: 'input',
  });
  t.equal(ok.applied!.result!.stdout, `hi there ${dir} input`);
  const bad = await runModule('command', moduleContext(conn), { argv: ['sh', '-c', 'echo oops >&2; exit 4'] });
  t.equal(bad.applied!.failed, true);
  t.match(bad.applied!.result, { rc: 4, stderr: 'oops' });
  t.match(bad.applied!.msg, /non-zero return code 4: oops/);
});

t.test('creates/removes decide with one round trip; check mode runs nothing', async (t) => {
  const flag = join(dir, 'made');
  const args = { argv: ['touch', flag], creates: flag };
  const check = await runModule('command', moduleContext(conn, { check: true }), args);
  t.equal(check.changed, true);
  t.equal(check.plan.msg, `would run: touch ${flag}`);
  t.notOk(existsSync(flag), 'check mode ran nothing');
  const first = await runModule('command', moduleContext(conn), args);
  t.equal(first.changed, true);
  t.ok(existsSync(flag));
  const before = conn.stats.commands;
  const second = await runModule('command', moduleContext(conn), args);
  t.equal(second.changed, false);
  t.equal(second.plan.msg, `skipped since ${flag} exists`);
  t.equal(conn.stats.commands - before, 1, 'one round trip');
  const removes = await runModule('command', moduleContext(conn), { argv: ['true'], removes: join(dir, 'nope') });
  t.equal(removes.changed, false);
  t.match(removes.plan.msg, /does not exist/);
});

t.test('shell runs a command line with pipes and variables', async (t) => {
  writeFileSync(join(dir, 'lines'), 'b\na\nc\n');
  const out = await runModule('shell', moduleContext(conn), { cmd: `sort lines | head -n 2; echo "$X"`, chdir: dir, env: { X: 'y' } });
  t.same(out.applied!.result!.stdout_lines, ['a', 'b', 'y']);
  const check = await runModule('shell', moduleContext(conn, { check: true }), { cmd: `echo hi > ${join(dir, 'shell-check')}` });
  t.equal(check.plan.msg, `would run: echo hi > ${join(dir, 'shell-check')}`);
  t.notOk(existsSync(join(dir, 'shell-check')));
});
