// One task on one host, through the real CLI: register, when, loops, set_fact, changed_when,
// failed_when, ignore_errors, roles, and a failing command's report.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';

t.test('register, when, loop_var, set_fact, changed_when, failed_when and ignore_errors', async (t) => {
  const r = await runCli(['test/fixtures/engine/tasks.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  const results = r.events.filter((e) => e.event === 'host_result');
  const status = (task: string) => results.filter((e) => e.task === task && e.item === undefined).map((e) => e.status);
  t.same(status('greeter : Greet'), ['changed'], 'role task named "role : name"');
  t.same(status('Use it in when'), ['ok'], 'when sees the registered result');
  t.same(status('Skipped by when'), ['skipped']);
  t.same(
    results.filter((e) => e.task === 'Loop with loop_var' && e.item !== undefined).map((e) => [e.item, e.msg]),
    [
      ['apple', 'fruit apple'],
      ['pear', 'fruit pear'],
    ],
    'one result per item, in order',
  );
  t.same(status('Loop results are registered'), ['ok'], 'results[] registered for loops');
  t.same(status('Facts are variables'), ['ok'], 'set_fact sets a variable');
  t.same(status('changed_when makes a change'), ['changed']);
  const ignored = results.find((e) => e.task === 'failed_when makes a failure that is ignored');
  t.match(ignored, { status: 'failed', ignored: true });
  t.same(status('The ignored failure was registered'), ['ok']);
  t.same(status('failed_when false overrides a failure'), ['ok']);
  const handler = results.find((e) => e.task === 'greeter : greeted');
  t.match(handler, { handler: true, status: 'ok' }, 'the role handler ran');
  t.same(recap(r).h1, { ok: 12, changed: 2, failed: 0, skipped: 1, unreachable: 0, rescued: 0, ignored: 1 });
});

t.test('a failing command reports rc and the last stderr lines, on stdout; exit 2', async (t) => {
  const r = await runCli(['test/fixtures/engine/failing-command.yaml', '-i', INV]);
  t.equal(r.code, 2);
  t.match(r.stdout, /failed: \[h1\] => non-zero return code 3/);
  t.match(r.stdout, /last-err/);
  t.match(r.stdout, /h1 +: ok=0 +changed=0 +unreachable=0 +failed=1 /);
  const j = await runCli(['test/fixtures/engine/failing-command.yaml', '-i', INV, '--json']);
  t.match(
    j.events.find((e) => e.event === 'host_result'),
    { status: 'failed', rc: 3, stderr: 'first-err\nlast-err', stdout: 'to-stdout' },
  );
});

t.test('timeout: a task over its time fails (and its command is killed)', async (t) => {
  const start = Date.now();
  const r = await runCli(['test/fixtures/engine/timeout.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.ok(Date.now() - start < 15_000, 'did not wait the 20 s of the command');
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'Too slow'), {
    status: 'failed',
    ignored: true,
    msg: /timed out/,
  });
  t.match(r.events.find((e) => e.event === 'host_result' && e.task === 'The timeout is a registered failure'), { status: 'ok' });
  t.throws(() => execFileSync('pgrep', ['-f', 'sleep 20.4321']), 'the command was killed');
});

t.test('an error from a live value points at the line of its key: when, loop, argument, failed_when', async (t) => {
  const file = 'test/fixtures/engine/run-time-errors.yaml';
  const r = await runCli([file, '-i', INV]);
  t.equal(r.code, 2);
  const at = (line: number, column: number) => `${file}:${line}:${column}: `;
  t.match(r.stdout, `${at(13, 13)}index 3 is out of range for 'out.stdout_lines'`);
  t.match(r.stdout, `${at(18, 13)}loop must be a list, got string`);
  t.match(r.stdout, `${at(23, 18)}'out' has no key 'nothing'`);
  t.match(r.stdout, `${at(28, 20)}index 7 is out of range for 'out.stdout_lines'`);
});
