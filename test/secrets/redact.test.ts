import t from 'tap';
import { MASK, MIN_SECRET_LENGTH, Redactor, redactError, secretNames } from '../../src/secrets/redact.js';

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

t.test('a multi-line secret is masked whole and line by line (a diff or an output tail shows lines)', async (t) => {
  const r = new Redactor();
  const key = '-----BEGIN KEY-----\nAAAAline1\nBBBBline2\n-----END KEY-----';
  r.add(key);
  t.equal(r.text(`k=${key}`), `k=${MASK}`);
  t.equal(r.text('+BBBBline2\n stderr: AAAAline1'), `+${MASK}\n stderr: ${MASK}`);
  t.equal(r.text('  \n'), '  \n', 'blank lines are no secret');
});

t.test('escaped forms: JSON once and twice, YAML single-quoted, shell-quoted', async (t) => {
  const r = new Redactor();
  const s = `a"b\\c'd\nline two`;
  r.add(s);
  const once = JSON.stringify(s);
  for (const shown of [once, JSON.stringify({ msg: once }), `'a"b\\c''d`, `'a"b\\c'\\''d`, JSON.stringify({ v: 'é' + s })]) {
    const out = r.text(shown);
    t.notOk(out.includes('a"b') || out.includes('a\\"b') || out.includes('line two'), `${shown} -> ${out}`);
  }
});

t.test('a text cut with "..." never ends in the beginning of a secret; short beginnings are no secret', async (t) => {
  const r = new Redactor();
  r.add('s3cret-value');
  t.equal(r.text('echo s3cr...'), `echo ${MASK}...`);
  t.equal(r.text('echo s3...'), 'echo s3...', `fewer than ${MIN_SECRET_LENGTH} characters are left alone`);
  t.equal(r.text('wait...'), 'wait...');
});

t.test('holdsSecret: strings containing a secret, in lists and maps', async (t) => {
  const r = new Redactor();
  t.notOk(r.holdsSecret('anything'), 'nothing is secret while none is known');
  r.add('pw-123');
  t.ok(r.holdsSecret('x pw-123 y'));
  t.ok(r.holdsSecret({ a: [1, 'pw-123'] }));
  t.notOk(r.holdsSecret({ a: [1, 'pw-12'] }));
});

t.test('a registered result: its values, not the keys lbrun fills (msg, cmd, rc)', async (t) => {
  const r = new Redactor();
  r.addResult({ changed: false, rc: 1, cmd: 'cat /x', msg: 'non-zero return code', stdout: 'token-abc', stderr: '' });
  t.equal(r.text('token-abc cat /x non-zero return code'), `${MASK} cat /x non-zero return code`);
});
