import t from 'tap';
import { exitCodeFor, Recap } from '../../src/engine/recap.js';

t.test('counts like ansible-playbook: ok includes changed, ignored failures count as ok', async (t) => {
  const r = new Recap();
  r.count('a', 'ok');
  r.count('a', 'changed');
  r.count('a', 'skipped');
  r.count('a', 'failed', true);
  r.count('b', 'failed');
  r.touch('c');
  t.same(r.toObject(), {
    a: { ok: 3, changed: 1, failed: 0, skipped: 1, unreachable: 0, rescued: 0, ignored: 1 },
    b: { ok: 0, changed: 0, failed: 1, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 },
    c: { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 },
  });
});

t.test('exit codes: interrupted 130, then failed 2, unreachable 4, fail-on-change 5', async (t) => {
  const r = new Recap();
  r.count('a', 'changed');
  const changedOnly = r.toObject();
  t.equal(exitCodeFor(changedOnly, { interrupted: false, failOnChange: false }), 0);
  t.equal(exitCodeFor(changedOnly, { interrupted: false, failOnChange: true }), 5);
  r.count('b', 'unreachable');
  t.equal(exitCodeFor(r.toObject(), { interrupted: false, failOnChange: true }), 4);
  r.count('c', 'failed');
  t.equal(exitCodeFor(r.toObject(), { interrupted: false, failOnChange: true }), 2);
  t.equal(exitCodeFor(r.toObject(), { interrupted: true, failOnChange: true }), 130);
});
