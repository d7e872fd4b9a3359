import t from 'tap';
import { MASK, Redactor, redactError, secretNames } from '../../src/report/redact.js';

const CANARY = 'canary-7f3a9e-secret';

t.test('masks every occurrence in strings, deep values and object keys', async (t) => {
  const r = new Redactor();
  r.add(CANARY);
  t.equal(r.text(`pass=${CANARY}; again ${CANARY}`), `pass=${MASK}; again ${MASK}`);
  const v = r.value({ msg: `x ${CANARY}`, list: [CANARY, 1, true], [CANARY]: 'k' });
  t.notMatch(JSON.stringify(v), CANARY);
  t.equal(v.list[1], 1);
});

t.test('learns leaves of lists and maps; the longest secret wins', async (t) => {
  const r = new Redactor();
  r.add({ a: ['abc', 'abcdef'] });
  t.equal(r.text('abcdef abc'), `${MASK} ${MASK}`);
});

t.test('very short values are not masked (they would garble every line)', async (t) => {
  const r = new Redactor();
  r.add('1');
  r.add('on');
  t.equal(r.text('ok=1 on'), 'ok=1 on');
});

t.test('secret_vars names: a list or one name', async (t) => {
  t.same(secretNames({ secret_vars: ['a', 'b'] }), ['a', 'b']);
  t.same(secretNames({ secret_vars: 'a' }), ['a']);
  t.same(secretNames({}), []);
});

t.test('errors are redacted in place, nested ones too', async (t) => {
  const r = new Redactor();
  r.add(CANARY);
  const inner = new Error(`bad value ${CANARY}`);
  const outer = Object.assign(new Error(`failed: ${CANARY}`), { errors: [inner] });
  redactError(outer, r);
  t.notMatch(outer.message, CANARY);
  t.notMatch(inner.message, CANARY);
  t.notMatch(outer.stack ?? '', CANARY);
});
