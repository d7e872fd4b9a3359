// Scheduling through the real CLI: serial batches, max_fail_percentage, any_errors_fatal, run_once.
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';

t.test('serial [1, "50%"]: batches of 1, 2, 2... each finished before the next starts', async (t) => {
  const r = await runCli(['test/fixtures/engine/serial.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(
    r.events.filter((e) => e.event === 'batch_start').map((e) => e.hosts),
    [['h1'], ['h2', 'h3'], ['h4']],
  );
  const order = r.events.filter((e) => e.event === 'host_result').map((e) => `${e.host}:${e.task}`);
  const at = (s: string) => order.indexOf(s);
  t.ok(at('h1:two') < at('h2:one') && at('h1:two') < at('h3:one'), 'batch 1 ends before batch 2 starts');
  t.ok(at('h2:two') < at('h4:one') && at('h3:two') < at('h4:one'), 'batch 2 ends before batch 3 starts');
  t.equal(order.length, 8);
});

t.test('max_fail_percentage: a batch over the limit stops the play and the run', async (t) => {
  const r = await runCli(['test/fixtures/engine/max-fail.yaml', '-i', INV, '--json']);
  t.equal(r.code, 2);
  t.match(r.events.find((e) => e.event === 'play_abort'), { play: 'Max fail', reason: /max_fail_percentage 49% exceeded/ });
  const ran = r.events.filter((e) => e.event === 'host_result').map((e) => `${e.host}:${e.task}`);
  t.same(ran.sort(), ['h1:Fail on h2', 'h2:Fail on h2'], 'h1 did not go on; h3, h4 and the later play never started');
  t.same(Object.keys(recap(r)).sort(), ['h1', 'h2']);
});

t.test('any_errors_fatal: one failure stops every host of the play', async (t) => {
  const r = await runCli(['test/fixtures/engine/any-errors-fatal.yaml', '-i', INV, '--json']);
  t.equal(r.code, 2);
  t.notOk(r.events.some((e) => e.task === 'Never reached' && e.event === 'host_result'));
  t.equal(recap(r).h3.failed, 1);
  t.equal(recap(r).h1.failed, 0);
});

t.test('run_once: the first host runs it, every host gets the registered result', async (t) => {
  const r = await runCli(['test/fixtures/engine/run-once.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  const once = r.events.filter((e) => e.event === 'host_result' && e.task === 'Once');
  t.same(once.map((e) => e.host), ['h1']);
  const seen = r.events.filter((e) => e.event === 'host_result' && e.task === 'Everyone has the result');
  t.same(seen.map((e) => e.msg), ['ran on h1', 'ran on h1', 'ran on h1', 'ran on h1']);
  t.equal(recap(r).h2.ok, 1, 'only the host that ran it counts it');
});

t.test('--forks 1 still runs every host', async (t) => {
  const r = await runCli(['test/fixtures/engine/run-once.yaml', '-i', INV, '--json', '--forks', '1']);
  t.equal(r.code, 0);
  t.equal(Object.keys(recap(r)).length, 4);
});
