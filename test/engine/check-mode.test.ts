// Check mode and --diff through the real CLI, with tasks that write real files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const PB = 'test/fixtures/engine/files.yaml';

t.test('--check runs plans only: reports would-be changes and leaves the disk alone', async (t) => {
  const dir = t.testdir({ 'app.conf': 'port 80\n' });
  const r = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(readdirSync(dir), ['app.conf'], 'no file was created');
  t.equal(readFileSync(join(dir, 'app.conf'), 'utf8'), 'port 80\n', 'the config was not rewritten');
  t.same(recap(r).h1, { ok: 4, changed: 3, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 });
  t.match(r.events.find((e) => e.event === 'recap'), { check: true });
  t.ok(r.events.some((e) => e.event === 'host_result' && e.handler && e.status === 'changed'), 'the handler would run');
});

t.test('--check --fail-on-change exits 5 when something would change; a converged run exits 0', async (t) => {
  const dir = t.testdir();
  const would = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--fail-on-change']);
  t.equal(would.code, 5);
  t.equal(readdirSync(dir).length, 0);
  const real = await runCli([PB, '-i', INV, '-e', `dir=${dir}`]);
  t.equal(real.code, 0, real.stderr);
  t.same(readdirSync(dir).sort(), ['app.conf', 'marker', 'reloaded']);
  t.equal(readFileSync(join(dir, 'app.conf'), 'utf8'), 'port 8080\nmode fast\n');
});

t.test('--diff shows a unified diff of the file, in human output and in JSON', async (t) => {
  const dir = t.testdir({ 'app.conf': 'port 80\nmode fast\n' });
  const human = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--diff']);
  t.match(human.stdout, `--- ${dir}/app.conf (before)\n+++ ${dir}/app.conf (after)\n@@ -1,2 +1,2 @@\n-port 80\n+port 8080\n mode fast\n`);
  const json = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--diff', '--json']);
  const changed = json.events.find((e) => e.event === 'host_result' && e.task === 'Write a config');
  t.match(changed, { status: 'changed', diff: [{ path: `${dir}/app.conf`, patch: /-port 80\n\+port 8080\n/ }] });
  const noDiff = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--json']);
  t.notOk(noDiff.events.some((e) => e.diff !== undefined), 'no diff without --diff');
});

t.test('an unchanged file is ok and is not rewritten', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'app.conf'), 'port 8080\nmode fast\n');
  const r = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--json']);
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Write a config'), { status: 'ok' });
  t.notOk(existsSync(join(dir, 'reloaded')), 'no change, no handler');
});
