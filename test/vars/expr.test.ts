import fc from 'fast-check';
import t from 'tap';
import { InputError } from '../../src/errors.js';
import { parseExpression, truthy } from '../../src/vars/expr.js';
import { evaluate } from '../../src/vars/evaluate.js';

const src = { file: 'play.yaml', line: 7, column: 13 };
const vars = {
  port: 6443,
  name: 'lb-01',
  list: ['a', 'b'],
  map: { k: 'v', n: { deep: 1 } },
  empty: [],
  r: { rc: 0, stdout: 'active', stdout_lines: ['active'], changed: false },
  templated: '{{ port + 1 }}',
  hostvars: { 'lb-02': { prio: 150 } },
};
const ev = (e: string) => evaluate(e, vars, src);

t.test('operators, literals, members, functions', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['port == 6443', true],
    ['port != 6443', false],
    ['port > 1000 and port < 7000', true],
    ['name == "lb-01" or missing_is_not_evaluated', true],
    ["'a' in list", true],
    ["'c' not in list", true],
    ["'k' in map", true],
    ["'lb' in name", true],
    ['map.n.deep + 1', 2],
    ["map['k']", 'v'],
    ['list[-1]', 'b'],
    ["hostvars['lb-02'].prio", 150],
    ['not port == 1', true],
    ['not empty', true],
    ['(1 + 2) * 3 % 4 - 10 / 5', -1],
    ['len(list) == 2 and len(name) == 5 and len(map) == 2', true],
    ["int('42') + int(1.9)", 43],
    ["str(port) + '/tcp'", '6443/tcp'],
    ["bool('yes') and not bool('no')", true],
    ["lower('AbC') + upper('x')", 'abcX'],
    ["startswith(name, 'lb-') and contains(name, '01') and contains(list, 'b')", true],
    ['r.rc == 0 and r.stdout == "active" and not r.changed', true],
    ['[1, 2] == [1, 2]', true],
    ['True and not False and None == None', true],
    ['templated', 6444],
    ['"{{ port }}" == "{{ port }}"', true],
    ['{{ port > 1 }}', true],
  ];
  for (const [e, want] of cases) t.same(ev(e), want, e);
});

t.test('is defined / is not defined never fail on missing names', async (t) => {
  t.equal(ev('nope is defined'), false);
  t.equal(ev('nope is not defined'), true);
  t.equal(ev('nope is undefined'), true);
  t.equal(ev('map.k is defined and map.x is not defined and map.k.x is not defined'), true);
  t.equal(ev('nope is defined and nope > 1'), false, 'and short-circuits');
});

t.test('undefined names, bad types and unsupported syntax are InputErrors at the source', async (t) => {
  t.throws(() => ev('nope == 1'), { message: `play.yaml:7:13: undefined variable 'nope' (in "nope == 1")` });
  t.throws(() => ev('map.x'), { message: /'map' has no key 'x'/ });
  t.throws(() => ev('list[5]'), { message: /index 5 is out of range for 'list' \(length 2\)/ });
  t.throws(() => ev('port > "1"'), { message: /cannot compare a number with a string using >/ });
  t.throws(() => ev('port + "x"'), { message: /cannot add a number and a string/ });
  t.throws(() => ev('port / 0'), { message: /division by zero/ });
  t.throws(() => parseExpression('a |defualt(1)', src), { message: /^play\.yaml:7:13: invalid expression "a \|defualt\(1\)": unknown filter 'defualt' \(did you mean 'default'\?\)/ });
  t.throws(() => parseExpression('a ? b : c', src), { message: /the \?: operator is not supported/ });
  t.throws(() => parseExpression('eval("x")', src), { message: /only these functions exist: len, int, str, bool, lower, upper, startswith, contains/ });
  t.throws(() => parseExpression('name.toUpperCase()', src), { message: /only these functions exist/ });
  t.throws(() => parseExpression('a is nice', src), { message: /unknown test 'nice'/ });
  t.throws(() => parseExpression('a is 3', src), { message: /`is` must be followed by a test/ });
  t.throws(() => parseExpression('len(a, b)', src), { message: /len\(\) takes 1 argument\(s\), got 2/ });
});

t.test('no prototype access', async (t) => {
  for (const e of ['map.constructor', 'map.__proto__', "map['__proto__']", 'name.length', 'list.length', 'constructor', '__proto__']) {
    t.throws(() => ev(e), InputError, e);
  }
  t.equal(ev('map.constructor is defined'), false);
});

t.test('truthiness is Python-like', async (t) => {
  t.same([0, '', [], {}, null, false].map(truthy), [false, false, false, false, false, false]);
  t.same([1, 'x', [0], { a: 1 }, true].map(truthy), [true, true, true, true, true]);
});

t.test('fuzz: any text either evaluates or throws an InputError, nothing else', async (t) => {
  const pieces = fc.constantFrom('a', 'b', 'map', '.', 'k', '[', ']', '(', ')', '"x"', "'", '1', '0', ' ', 'and', 'or', 'not', 'in', 'is', 'defined', '==', '<', '+', '-', '*', '/', '%', ',', 'len', '__proto__', 'constructor', '{{', '}}', '|', '?', ':', '!', 'True', 'None');
  const exprs = fc.oneof(fc.string(), fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')));
  fc.assert(
    fc.property(exprs, (text) => {
      try {
        evaluate(text, { a: 1, b: 'x', map: { k: [1, 2] } }, src);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
      }
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random expressions');
});

t.test("Jinja's inline if: A if C else B, chains, no else, parentheses, errors", async (t) => {
  const cases: Array<[string, unknown]> = [
    ["'big' if port > 1000 else 'small'", 'big'],
    ["'a' if port == 1 else 'b' if port == 6443 else 'c'", 'b'],
    ["'a' if port == 1 else 'b' if port == 2 else 'c'", 'c'],
    ["'x' if empty", ''],
    ["('y' if not empty else 'z') | upper", 'Y'],
    ["1 + (2 if list else 3)", 3],
    ["missing if missing is defined else 'dflt'", 'dflt'],
    ["'on' if port > 1 and name == 'lb-01' else 'off'", 'on'],
    ["list | length if map.k == 'v' else 0", 2],
  ];
  for (const [e, want] of cases) t.same(ev(e), want, e);
  // a name starting with "if" is a name, not the operator
  t.equal(evaluate('iffy + 1', { iffy: 1 }, src), 2);
  t.throws(() => ev("'a' else 'b'"), { message: /else without if: write A if CONDITION else B/ });
  t.throws(() => ev("'a' if"), { message: /an inline if is written A if CONDITION else B/ });
  t.throws(() => ev("'a' if port > 1 else"), { message: /an inline if is written/ });
});
