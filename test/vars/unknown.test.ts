// Unknown values (--check: results only a real run produces) through expressions, {{ }} and template files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { evaluate } from '../../src/vars/evaluate.js';
import { renderValue } from '../../src/vars/render.js';
import { renderTemplateFile } from '../../src/vars/template.js';
import { isUnknown, partialResult, Unknown, UnknownValueError } from '../../src/vars/unknown.js';

const src = { file: 'play.yaml', line: 3, column: 9 };
const vars = () => ({ r: partialResult({ changed: true, dest: '/etc/x' }), n: 2, u: new Unknown(['q.rc']) });
const deps = (v: unknown) => (isUnknown(v) ? [...v.deps] : v);

t.test('a partial result: known keys read, other keys are unknowns named after them', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['r.changed', true],
    ['r.dest == "/etc/x"', true],
    ['r.stdout', ['r.stdout']],
    ['r.rc == 0', ['r.rc']],
    ['not r.rc', ['r.rc']],
    ['int(r.stdout) > n', ['r.stdout']],
    ['r.stdout == "a" and r.rc == 0', ['r.stdout', 'r.rc']],
    // a known operand decides `and`/`or` when it can
    ['r.stdout == "a" and n == 3', false],
    ['r.stdout == "a" or n == 2', true],
    ['n == 3 and r.stdout == "a"', false],
    ['r.stdout_lines[0]', ['r.stdout_lines']],
    ['r.stdout is defined', ['r.stdout']],
    ['"rc" in r', ['r.rc']],
    ['"dest" in r', true],
    ['len(r)', ['len(r)']],
    ['u', ['q.rc']],
    ['u + n', ['q.rc']],
    ['[u, r.rc][0]', ['q.rc']],
  ];
  for (const [expr, want] of cases) t.same(deps(evaluate(expr, vars(), src)), want, expr);
});

t.test('{{ }} in arguments: an unknown inside any part makes the whole value unknown, with every dependency', async (t) => {
  t.same(deps(renderValue('v={{ r.stdout }}-{{ u }}', vars(), src)), ['r.stdout', 'q.rc']);
  t.same(deps(renderValue({ a: ['x', '{{ r.rc }}'], b: '{{ n }}' }, vars(), src)), ['r.rc']);
  t.same(renderValue({ a: '{{ r.dest }}', b: '{{ n }}' }, vars(), src), { a: '/etc/x', b: 2 });
  t.same(deps(renderValue('{{ r }} as text', vars(), src)), ['r'], 'a result that did not run has no text yet');
});

t.test('template files: an unknown throws UnknownValueError naming it; known values render', async (t) => {
  const dir = t.testdir();
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  t.equal(renderTemplateFile(file('ok.mustache', 'dest={{r.dest}} n={{n}}\n'), vars()), 'dest=/etc/x n=2\n');
  const cases: Array<[string, string[]]> = [
    ['{{r.stdout}}', ['r.stdout']],
    ['{{u}}', ['q.rc']],
    ['{{#r}}{{rc}}{{/r}}', ['rc']],
    ['{{#u}}x{{/u}}', ['q.rc']],
  ];
  for (const [i, [text, want]] of cases.entries()) {
    const err = (() => {
      try {
        renderTemplateFile(file(`t${i}.mustache`, text), vars());
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof UnknownValueError, text);
    t.same((err as UnknownValueError).deps, want, text);
  }
});
