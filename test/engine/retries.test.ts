// retries / until / delay through the real CLI: attempts shown as Ansible shows them, each attempt
// a JSON event, the registered result carries attempts, until checked offline, check mode truthful.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const PB = 'test/fixtures/flow/retries.yaml';
const counterDir = () => mkdtempSync(join(tmpdir(), 'lbrun-retries-'));

t.test('until: retried until true, each attempt an event, attempts registered', async (t) => {
  const dir = counterDir();
  const r = await runCli([PB, '-i', INV, '--json', '-e', `lbrun_counter_dir=${dir}`]);
  t.equal(r.code, 0, r.stderr);
  const retries = (task: string) => r.events.filter((e) => e.event === 'retry' && e.task === task);
  t.match(retries('Third time lucky'), [
    { host: 'h1', attempt: 1, retries_left: 5 },
    { host: 'h1', attempt: 2, retries_left: 4 },
  ]);
  t.equal(retries('Third time lucky').length, 2);
  t.equal(readFileSync(join(dir, 'count'), 'utf8'), 'x\nx\nx\n', 'the command ran three times');
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Third time lucky'), { status: 'changed', attempts: 3 });
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Attempts seen'), { msg: 'attempts=3' });
  t.equal(retries('Never true').length, 2, 'retries: 2 is three attempts');
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Never true'), { status: 'failed', ignored: true, attempts: 2 });
  t.equal(retries('Retries alone retry a failure').length, 1, 'retries without until: until it does not fail');
  t.match(recap(r).h1, { failed: 0, ignored: 1 });
});

t.test('human output: FAILED - RETRYING like ansible-playbook', async (t) => {
  const r = await runCli([PB, '-i', INV, '-e', `lbrun_counter_dir=${counterDir()}`]);
  t.match(r.stdout, /\nFAILED - RETRYING: \[h1\]: Third time lucky \(5 retries left\)\.\nFAILED - RETRYING: \[h1\]: Third time lucky \(4 retries left\)\.\nchanged: \[h1\]/);
});

t.test('until without retries: 3 retries; delay between attempts', async (t) => {
  const dir = counterDir();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(pb, `- hosts: h1\n  tasks:\n    - name: Never\n      command: "true"\n      register: r\n      until: r.rc == 7\n      delay: 0.2\n`);
  const r = await runCli([pb, '-i', INV, '--json']);
  t.equal(r.code, 2);
  t.same(r.events.filter((e) => e.event === 'retry').map((e) => e.retries_left), [3, 2, 1]);
  const result = r.events.find((e) => e.event === 'host_result');
  t.match(result, { status: 'failed', attempts: 3 });
  t.ok((result?.duration_ms as number) >= 600, 'three delays of 0.2 s');
});

t.test('check mode: a command that would run is not run, so not retried', async (t) => {
  const dir = counterDir();
  const r = await runCli([PB, '-i', INV, '--json', '--check', '-e', `lbrun_counter_dir=${dir}`]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.events.filter((e) => e.event === 'retry').length, 0);
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Third time lucky'), { status: 'changed', attempts: 0 });
  t.throws(() => readFileSync(join(dir, 'count')), 'nothing ran');
});

t.test('offline: until is checked like when', async (t) => {
  const dir = counterDir();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(pb, `- hosts: h1\n  tasks:\n    - name: Bad\n      command: "true"\n      register: r\n      until: r.rc == missing_var\n`);
  const r = await runCli(['validate', pb, '-i', INV]);
  t.equal(r.code, 3);
  t.match(r.stderr, /pb\.yaml:6:22: undefined variable 'missing_var'/);
  writeFileSync(pb, `- hosts: h1\n  tasks:\n    - name: Bad\n      command: "true"\n      until: "r.rc =="\n`);
  const s = await runCli(['validate', pb, '-i', INV]);
  t.equal(s.code, 3);
  t.match(s.stderr, /pb\.yaml:5:21: /, 'a syntax error at its line');
  writeFileSync(pb, `- hosts: h1\n  tasks:\n    - name: Bad\n      command: "true"\n      retries: -1\n      delay: soon\n`);
  const u = await runCli(['validate', pb, '-i', INV]);
  t.equal(u.code, 3);
  t.match(u.stderr, /pb\.yaml:5:16: .*retries/);
  t.match(u.stderr, /pb\.yaml:6:14: .*delay/);
});
