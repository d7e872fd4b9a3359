/**
 * Property tests of the expression language (`when`, `changed_when`, `failed_when`, `assert.that`)
 * and of `{{ }}` rendering in arguments: random token soups and random well-formed expressions over
 * random variables either evaluate or throw an lbrun InputError naming the source. No eval, no
 * TypeError, no prototype access, no hang.
 */
import fc from 'fast-check';
import t from 'tap';
import { InputError, InputErrors } from '../../src/errors.js';
import { evaluate } from '../../src/vars/evaluate.js';
import { renderValue } from '../../src/vars/render.js';

const RUNS = Number(process.env.LBRUN_FUZZ_RUNS ?? 2000);
const SOURCE = { file: 'fuzz.yaml', line: 7, column: 3 };
const counts = { evaluated: 0, inputErrors: 0, escaped: 0 };

function lbrunOnly(fn: () => unknown): true {
  try {
    fn();
    counts.evaluated++;
  } catch (err) {
    const errors = err instanceof InputErrors ? err.errors : err instanceof InputError ? [err] : undefined;
    if (!errors || errors.some((e) => e.source.file !== SOURCE.file)) {
      counts.escaped++;
      throw new Error(`escaped as ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    }
    counts.inputErrors++;
  }
  return true;
}

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, NaN, Infinity, '', 'yes', '42', '{{ a }}', '{{ nope }}', '{{ self }}', 'ünï'),
    fc.integer(),
    fc.string({ maxLength: 6 }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'rc', 'stdout', '__proto__', 'constructor'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** Variables, including ones that refer to each other (and to themselves) through {{ }}. */
const vars = fc.record({ a: json, b: json, c: json, r: json, self: fc.constant('{{ self }}'), env: fc.constant({}) });

const NAMES = ['a', 'b', 'c', 'r', 'self', 'nope', 'env', 'a.b', 'r.rc', 'a[0]', 'b[-1]', 'a.__proto__', 'constructor', 'toString', 'this', 'process', 'globalThis'];
const FUNCS = ['len', 'int', 'str', 'bool', 'lower', 'upper', 'startswith', 'contains', 'eval', 'require', 'length', 'default'];

/** Well-formed expressions of the documented grammar (and its near misses). */
const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES),
    fc.oneof(fc.integer().map(String), fc.constantFrom('1.5', '"x"', "'y'", 'true', 'false', 'null', 'None', '[]', '[1, "a"]', '{}')),
    fc.tuple(tie('e'), fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in', 'not in', '+', '-', '*', '/', '%', 'is', '|', '&&', '===', '**', '??'), tie('e')).map(([l, op, r]) => `${l} ${op} ${r}`),
    fc.tuple(fc.constantFrom('not ', '-', '!', '~', 'typeof '), tie('e')).map(([op, x]) => `${op}${x}`),
    fc.tuple(tie('e'), fc.constantFrom(' is defined', ' is not defined', ' is undefined', '.length', '[0]', '["rc"]', '()')).map(([x, s]) => `${x}${s}`),
    tie('e').map((x) => `(${x})`),
    fc.tuple(fc.constantFrom(...FUNCS), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([x, y, z]) => `${x} ? ${y} : ${z}`),
    tie('e').map((x) => `x => ${x}`),
  ),
})).e;

/** Token soup: the same pieces glued without grammar. */
const soup = fc
  .array(fc.oneof(fc.constantFrom(...NAMES, ...FUNCS, '(', ')', '[', ']', '{', '}', '.', ',', '"', "'", '==', 'and', 'not', 'in', 'is', 'defined', '|', '{{', '}}', ' ', '\n', '\\', '`'), fc.string({ maxLength: 4 })), { maxLength: 20 })
  .map((p) => p.join(''));

t.test('well-formed and near-miss expressions', async (t) => {
  fc.assert(fc.property(expr, vars, (e, v) => lbrunOnly(() => evaluate(e, v, SOURCE))), { numRuns: RUNS });
  t.pass('nothing escaped');
});

t.test('token soup as an expression', async (t) => {
  fc.assert(fc.property(soup, vars, (e, v) => lbrunOnly(() => evaluate(e, v, SOURCE))), { numRuns: RUNS });
  t.pass('nothing escaped');
});

t.test('{{ }} in argument strings, lists and maps', async (t) => {
  const arg = fc.oneof(
    fc.tuple(fc.string({ maxLength: 5 }), expr, fc.string({ maxLength: 5 })).map(([a, e, b]) => `${a}{{ ${e} }}${b}`),
    expr.map((e) => `{{ ${e} }}`),
    soup,
  );
  const value = fc.oneof(arg, fc.array(arg, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), arg, { maxKeys: 3 }));
  fc.assert(fc.property(value, vars, (a, v) => lbrunOnly(() => renderValue(a, v, SOURCE))), { numRuns: RUNS });
  t.pass('nothing escaped');
});

t.test('the language still works (the properties can pass for the right reason)', async (t) => {
  t.equal(evaluate('len(a) == 2 and b.c in ["x", "y"] and not (d is defined)', { a: [1, 2], b: { c: 'y' } }, SOURCE), true);
  t.throws(() => evaluate('a.constructor', { a: {} }, SOURCE), InputError, 'no prototype access');
  // found by the property above (seed 454795876): a map on the left of `in <map>` was a TypeError
  t.throws(() => evaluate('b in c', { b: Object.create(null), c: {} }, SOURCE), InputError, 'a map is not a key');
  t.comment(`FIGURE fuzz_expressions=${counts.evaluated + counts.inputErrors + counts.escaped} evaluated=${counts.evaluated} input_errors=${counts.inputErrors} escaped=${counts.escaped}`);
  t.equal(counts.escaped, 0);
  t.ok(counts.evaluated > 0 && counts.inputErrors > 0, 'both outcomes were produced');
});
