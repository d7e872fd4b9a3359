// The read-ahead book (src/engine/read-ahead.ts): when a plan read ahead may stand in for the plan a
// host's turn would read, and when the turn must read again. (The whole thing through the CLI on a
// real sshd: test/engine/read-ahead-run.test.ts.)
import t from 'tap';
import type { PlanResult } from '../../src/modules/types.js';
import { planKey, ReadAhead } from '../../src/engine/read-ahead.js';

const task1 = { name: 'one' };
const task2 = { name: 'two' };
const never = new AbortController().signal;
const renders = (out: Record<string, string>) => ({
  renderTemplate: (path: string) => {
    if (!(path in out)) throw new Error(`undefined variable in ${path}`);
    return out[path];
  },
});
const ok: PlanResult = { changed: false, msg: 'read ahead' };

function book(): ReadAhead {
  const b = new ReadAhead([task1, task2]);
  b.open('h', never);
  b.started('h');
  return b;
}

t.test('the turn waits for a plan still being read, then uses it', async (t) => {
  const b = book();
  const key = planKey(task1, { path: '/x' }, false, undefined);
  let release!: (p: PlanResult) => void;
  void b.record('h', key, () => new Promise((r) => (release = r)));
  const taken = b.take('h', task1, key, renders({}));
  release(ok);
  t.equal(await taken, ok);
  t.same(b.counts, { read: 1, used: 1 });
});

t.test('the turn waits for the read-ahead to reach the task', async (t) => {
  const b = book();
  const key = planKey(task2, { n: 2 }, false, undefined);
  const taken = b.take('h', task2, key, renders({}));
  await new Promise((r) => setTimeout(r, 20));
  void b.record('h', key, async () => ok);
  t.equal(await taken, ok);
});

t.test('a task the read-ahead passed over is read on the turn, at once', async (t) => {
  const b = book();
  b.finished('h', task1);
  t.equal(await b.take('h', task1, planKey(task1, {}, false, undefined), renders({})), undefined);
});

t.test('a host whose read-ahead has not begun is not waited for', async (t) => {
  const b = new ReadAhead([task1]);
  b.open('h', never);
  t.equal(await b.take('h', task1, planKey(task1, {}, false, undefined), renders({})), undefined);
});

t.test('a change anywhere voids what was read before it, and what was being read during it', async (t) => {
  const b = book();
  const key = planKey(task1, {}, false, undefined);
  void b.record('h', key, async () => ok);
  b.changed();
  t.equal(await b.take('h', task1, key, renders({})), undefined);

  const c = book();
  let release!: (p: PlanResult) => void;
  void c.record('h', key, () => new Promise((r) => (release = r)));
  const taken = c.take('h', task1, key, renders({}));
  c.changed();
  release(ok);
  t.equal(await taken, undefined, 'read while the change was made');
});

t.test('a plan that would change is read again on the turn', async (t) => {
  const b = book();
  const key = planKey(task1, {}, false, undefined);
  void b.record('h', key, async () => ({ changed: true, msg: 'would write /x' }));
  t.equal(await b.take('h', task1, key, renders({})), undefined);
  // a plan that decided the task does not apply (command: creates) is a no-change
  const c = book();
  const skipped: PlanResult = { changed: true, skipped: true };
  void c.record('h', key, async () => skipped);
  t.equal(await c.take('h', task1, key, renders({})), skipped);
});

t.test('other arguments, become settings or template output: not the same plan', async (t) => {
  t.not(planKey(task1, { path: '/x' }, false, undefined), planKey(task1, { path: '/y' }, false, undefined));
  t.not(planKey(task1, {}, false, undefined), planKey(task1, {}, true, undefined));
  t.not(planKey(task1, {}, true, undefined), planKey(task1, {}, true, 'postgres'));
  t.not(planKey(task1, {}, false, undefined), planKey(task2, {}, false, undefined));

  const b = book();
  const key = planKey(task1, {}, false, undefined);
  void b.record('h', key, async (seen) => {
    seen.push(['motd.mustache', 'hello one\n']);
    return ok;
  });
  void b.record('h', planKey(task2, {}, false, undefined), async () => ok);
  t.equal(await b.take('h', task1, key, renders({ 'motd.mustache': 'hello two\n' })), undefined, 'renders differently now');
  t.equal(await b.take('h', task2, planKey(task2, {}, false, undefined), renders({})), undefined, 'and the host read-ahead is dropped');

  const c = book();
  void c.record('h', key, async (seen) => {
    seen.push(['motd.mustache', 'hello one\n']);
    return ok;
  });
  t.equal(await c.take('h', task1, key, renders({})), undefined, 'no longer renders at all');

  const d = book();
  void d.record('h', key, async (seen) => {
    seen.push(['motd.mustache', 'hello one\n']);
    return ok;
  });
  t.equal(await d.take('h', task1, key, renders({ 'motd.mustache': 'hello one\n' })), ok, 'renders the same');
});

t.test('a failed read is read again on the turn; close() ends every wait', async (t) => {
  const b = book();
  const key = planKey(task1, {}, false, undefined);
  b.record('h', key, async () => Promise.reject(new Error('dpkg-query: not found'))).catch(() => {});
  t.equal(await b.take('h', task1, key, renders({})), undefined);

  const c = book();
  const waiting = c.take('h', task2, planKey(task2, {}, false, undefined), renders({}));
  c.close();
  t.equal(await waiting, undefined);
});
