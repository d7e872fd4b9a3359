import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { exportLines, quote, quoteArgs } from '../../src/connection/quote.js';

const noNul = fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, ''));

/** What /bin/sh really receives as argv after parsing `printf '%s\0' <quoted args>`. */
function shellWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`]).toString('utf8');
  return out.split('\0').slice(0, -1);
}

t.test('any string survives quoting through sh -c as exactly one word', (t) => {
  fc.assert(
    fc.property(fc.array(noNul, { minLength: 1, maxLength: 4 }), (args) => {
      t.same(shellWords(quoteArgs(args)), args);
    }),
    { numRuns: 150 },
  );
  t.end();
});

t.test('shell metacharacters are inert', (t) => {
  const marker = `/tmp/lbrun-injected-${process.pid}`;
  const evil = [`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `' ; touch ${marker}; '`, `a\ntouch ${marker}`];
  for (const arg of evil) t.same(shellWords(quote(arg)), [arg]);
  t.throws(() => execFileSync('test', ['-e', marker]), 'no injected command ran');
  t.end();
});

t.test('a first word that looks like an assignment is quoted', (t) => {
  t.equal(quote('A=b'), `'A=b'`);
  t.equal(quote('plain/path-1.conf'), 'plain/path-1.conf');
  t.equal(quote(''), `''`);
  t.throws(() => quote('a\0b'), /NUL/);
  t.end();
});

t.test('export lines quote values and refuse bad names', (t) => {
  const out = execFileSync('/bin/sh', ['-c', `${exportLines({ V: `it's $HOME` })}printf %s "$V"`]).toString();
  t.equal(out, `it's $HOME`);
  t.throws(() => exportLines({ 'A;rm': 'x' }), /invalid environment variable name/);
  t.end();
});
