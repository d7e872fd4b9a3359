// The library API: run() with onEvent, as a program embedding lbrun would use it.
import { resolve } from 'node:path';
import t from 'tap';
import { InputError, InputErrors, run, type RunEvent } from '../../src/index.js';

const FX = resolve('test/fixtures/engine');
const inventoryFile = `${FX}/inventory.yaml`;

t.test('run() streams events in order and returns the recap and exit code', async (t) => {
  const events: RunEvent[] = [];
  const summary = await run({ playbookFile: `${FX}/handlers.yaml`, inventoryFile, onEvent: (e) => events.push(e) });
  t.equal(summary.exitCode, 0);
  t.equal(summary.interrupted, false);
  t.same(summary.hosts.h1, { ok: 7, changed: 3, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 });
  t.same(
    events.slice(0, 3).map((e) => e.event),
    ['run_start', 'play_start', 'task_start'],
  );
  t.match(events.at(-1), { event: 'recap', hosts: summary.hosts });
  t.ok(events.some((e) => e.event === 'handler_notified' && e.host === 'h1' && e.handler === 'first handler'));
});

t.test('options map to behaviour: limit, tags, check, failOnChange, extraVars', async (t) => {
  const dir = t.testdir();
  const summary = await run({
    playbookFile: `${FX}/files.yaml`,
    inventoryFile,
    check: true,
    failOnChange: true,
    extraVars: { dir },
    limit: 'h1',
  });
  t.equal(summary.exitCode, 5);
  t.same(Object.keys(summary.hosts), ['h1']);
  const tagged: string[] = [];
  await run({
    playbookFile: `${FX}/tags.yaml`,
    inventoryFile,
    tags: ['tb'],
    onEvent: (e) => e.event === 'host_result' && tagged.push(e.task),
  });
  t.same(tagged, ['b', 'c']);
});

t.test('invalid input rejects with InputError(s) before any event', async (t) => {
  const events: RunEvent[] = [];
  const err = await run({ playbookFile: `${FX}/broken-schema.yaml`, inventoryFile, onEvent: (e) => events.push(e) }).catch(
    (e: unknown) => e,
  );
  t.ok(err instanceof InputErrors || err instanceof InputError);
  t.equal((err as InputErrors).exitCode, 3);
  t.equal(events.length, 0);
});

t.test('an aborted signal stops the run with an interrupted recap (exit 130)', async (t) => {
  const ac = new AbortController();
  const events: RunEvent[] = [];
  const summary = await run({
    playbookFile: `${FX}/slow.yaml`,
    inventoryFile,
    signal: ac.signal,
    onEvent: (e) => {
      events.push(e);
      if (e.event === 'task_start') setTimeout(() => ac.abort(), 200);
    },
  });
  t.equal(summary.exitCode, 130);
  t.equal(summary.interrupted, true);
  t.match(events.at(-1), { event: 'recap', interrupted: true });
  t.ok(summary.durationMs < 10_000);
});
