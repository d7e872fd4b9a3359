// --check on playbooks that read registered results of tasks that did not run: the dry run says what
// each task would do and what it depends on, and exits as the real run does (src/engine/unknowns.ts).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli, type CliResult } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const PB = 'test/fixtures/engine/unknowns.yaml';
const EDGES = 'test/fixtures/engine/unknowns-edges.yaml';

function result(r: CliResult, task: string): Record<string, unknown> {
  const e = r.events.find((x) => x.event === 'host_result' && x.task === task && x.item === undefined);
  if (!e) throw new Error(`no result for ${task}:\n${r.stdout}\n${r.stderr}`);
  return e;
}

t.test('reading a command result: --check exits as the real run, names the dependency, changes nothing', async (t) => {
  const dir = t.testdir({ release: 'v2\n' });
  const check = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check', '--json']);
  t.equal(check.code, 0, check.stdout + check.stderr);
  t.same(readdirSync(dir), ['release'], 'nothing was written');
  t.equal(recap(check).h1.failed, 0);
  t.match(result(check, 'Count the lines'), { status: 'changed', unknown: ['count.stdout', 'count.rc'], msg: /depends on count\.stdout, count\.rc/ });
  t.match(result(check, 'Show it'), { status: 'ok', unknown: ['rel.stdout'] });
  t.match(result(check, 'Check it'), { status: 'ok', unknown: ['rel.rc', 'rel.stdout'] });
  t.match(result(check, 'Stop on a bad release'), { status: 'ok', unknown: ['rel.stdout'], msg: /^if release != "v2": / });
  t.match(result(check, 'Write it where it says'), { status: 'changed', unknown: ['rel.stdout'], msg: /would run copy/ });
  t.match(result(check, 'Render it'), { status: 'changed', unknown: ['rel.stdout'], msg: /would run template/ });
  t.match(result(check, 'Mark each line'), { status: 'changed', unknown: ['rel.stdout_lines'] });
  t.match(result(check, 'Only for v2'), { status: 'changed', unknown: ['rel.stdout'], msg: /^if rel\.stdout == "v2": would create / });
  t.match(result(check, 'Never for v9'), { status: 'changed', unknown: ['rel.stdout', 'count.rc'] });
  t.match(result(check, 'Known false wins over unknown'), { status: 'skipped' });

  const real = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--json']);
  t.equal(real.code, check.code, 'the real run exits as --check said');
  t.notOk(real.events.some((e) => e.unknown !== undefined), 'a real run knows everything');
  t.match(result(real, 'Show it'), { status: 'ok', msg: 'release v2' });
  t.match(result(real, 'Never for v9'), { status: 'skipped' });
  t.same(readdirSync(dir).sort(), ['copy-of-release', 'line-v2', 'release', 'rendered', 'v2']);
});

t.test('the human output says what each task depends on', async (t) => {
  const dir = t.testdir({ release: 'v2\n' });
  const check = await runCli([PB, '-i', INV, '-e', `dir=${dir}`, '--check']);
  t.equal(check.code, 0, check.stderr);
  t.match(check.stdout, 'changed: [h1] => would run template (depends on rel.stdout, known only after a real run)');
  t.match(check.stdout, /ok: \[h1\] => if release != "v2": fail: cannot tell before a real run \(depends on rel\.stdout/);
});

t.test('edges: failed is known without ignore_errors, unknown with it; plan fields stay known; known failures still fail', async (t) => {
  const dir = t.testdir();
  const bad = await runCli([EDGES, '-i', INV, '-e', `dir=${dir}`, '-e', 'want=no', '--check', '--json']);
  t.equal(bad.code, 2, 'an assertion on known values fails the dry run as it fails the real one');
  t.match(result(bad, 'Still fails on what is known'), { status: 'failed' });
  const real = await runCli([EDGES, '-i', INV, '-e', `dir=${dir}`, '-e', 'want=no', '--json']);
  t.equal(real.code, 2);

  const dir2 = t.testdir();
  const check = await runCli([EDGES, '-i', INV, '-e', `dir=${dir2}`, '-e', 'want=ok', '--check', '--json']);
  t.equal(check.code, 0, check.stdout);
  t.match(result(check, 'Without ignore_errors a later task knows the probe did not fail'), { status: 'skipped' });
  t.match(result(check, 'With ignore_errors whether it failed is unknown'), { status: 'changed', unknown: ['maybe.failed'] });
  t.match(result(check, 'Known fields of a would-be change'), { status: 'ok', msg: 'All assertions passed' });
  t.notOk(existsSync(join(dir2, 'x')));
  const real2 = await runCli([EDGES, '-i', INV, '-e', `dir=${dir2}`, '-e', 'want=ok', '--json']);
  t.equal(real2.code, 0, real2.stdout);
  t.match(result(real2, 'With ignore_errors whether it failed is unknown'), { status: 'changed' });
});

t.test('a task that would not change registers a known result: a later task reads it as in the real run', async (t) => {
  const dir = t.testdir({ x: 'x\n' });
  const check = await runCli([EDGES, '-i', INV, '-e', `dir=${dir}`, '-e', 'want=ok', '--check', '--json']);
  t.match(result(check, 'What the plan knows stays known'), { status: 'ok' });
  t.notOk(result(check, 'What the plan knows stays known').unknown);
  t.match(result(check, 'Known fields of a would-be change'), { status: 'failed', msg: /Assertion failed: x\.changed/ });
  t.equal(check.code, 2);
  const real = await runCli([EDGES, '-i', INV, '-e', `dir=${dir}`, '-e', 'want=ok', '--json']);
  t.equal(real.code, 2, 'the real run fails on the same assertion');
  t.match(result(real, 'Known fields of a would-be change'), { status: 'failed', msg: /Assertion failed: x\.changed/ });
});
