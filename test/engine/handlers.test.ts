// Handlers through the real CLI: notify by name and by listen topic, only on notifying hosts, once,
// in definition order, at meta: flush_handlers and at the end of the play; --force-handlers.
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';

t.test('handlers run once, in definition order, only on the hosts that notified them', async (t) => {
  const r = await runCli(['test/fixtures/engine/handlers.yaml', '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  const starts = r.events.filter((e) => e.event === 'task_start').map((e) => (e.handler ? `H:${e.task}` : e.task));
  t.same(starts, [
    'Change on h1 and h2',
    'Change again on h1',
    'No change notifies nothing',
    'H:first handler', // flush_handlers: definition order, although notified second
    'H:second handler',
    'After the flush',
    'H:third handler', // by its listen topic, at the end of the play
  ]);
  const ranOn = (handler: string) =>
    r.events
      .filter((e) => e.event === 'host_result' && e.handler && e.task === handler)
      .map((e) => e.host as string)
      .sort();
  t.same(ranOn('first handler'), ['h1', 'h2'], 'h1 notified it twice: it ran once');
  t.same(ranOn('second handler'), ['h1', 'h2']);
  t.same(ranOn('third handler'), ['h1', 'h2', 'h3', 'h4']);
  t.equal(recap(r).h3.ok, 5, 'handler results count in the recap');
});

t.test('a host that fails after notifying runs no handler, unless --force-handlers', async (t) => {
  const plain = await runCli(['test/fixtures/engine/force-handlers.yaml', '-i', INV, '--json']);
  t.equal(plain.code, 2);
  t.notOk(plain.events.some((e) => e.event === 'host_result' && e.handler), 'no handler ran');
  const forced = await runCli(['test/fixtures/engine/force-handlers.yaml', '-i', INV, '--json', '--force-handlers']);
  t.equal(forced.code, 2, 'the failure still decides the exit code');
  t.match(
    forced.events.find((e) => e.event === 'host_result' && e.handler),
    { host: 'h1', task: 'cleanup', status: 'ok', msg: 'cleanup ran' },
  );
});

t.test('human output names handlers with RUNNING HANDLER', async (t) => {
  const r = await runCli(['test/fixtures/engine/force-handlers.yaml', '-i', INV, '--force-handlers']);
  t.match(r.stdout, /\nRUNNING HANDLER \[cleanup\] \*+\nok: \[h1\]/);
});
