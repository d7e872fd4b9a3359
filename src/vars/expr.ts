/**
 * The safe expression language of `when`, `changed_when`, `failed_when`, `assert.that` and `{{ }}`
 * (docs/file-formats.md). Parsed with jsep, evaluated here on the AST: no eval, no prototype access, only
 * whitelisted functions. Undefined names are InputErrors naming the name (except under `is defined`).
 */
import jsepModule from 'jsep';
import type { Expression } from 'jsep';
import { didYouMean } from '../load/did-you-mean.js';
import { InputError, sourceWithin, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { Unknown, isPartial, isUnknown, unknownOf } from './unknown.js';
import { MASK } from '../secrets/redact.js';
import { TESTS, bindArgs, filterDef, filterNames, type FilterDef } from './filters.js';
import { IPADDR_QUERIES } from './ipaddr.js';
import { resolveFact, resolveFactsDeep } from './facts.js';

export type { Expression } from 'jsep';

const jsep = jsepModule;
const PAREN = Symbol('parenthesised');
for (const op of ['||', '&&', '|', '^', '&', '<<', '>>', '>>>', '===', '!==', '**']) jsep.removeBinaryOp(op);
for (const op of ['!', '~']) jsep.removeUnaryOp(op);
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('is', 6);
jsep.addBinaryOp('in', 7);
jsep.addBinaryOp('not in', 7);
jsep.addUnaryOp('not');
// Jinja: a filter binds tighter than any operator (`a + b | int` is `a + (b | int)`), ~ joins as text
// (looser than +), and name=value is a filter's keyword argument only.
jsep.addBinaryOp('|', 12);
jsep.addBinaryOp('~', 8.5);
jsep.addBinaryOp('=', 0.5);
// Jinja's inline if, `A if C else B`: `if` binds tighter than `else`, both looser than `or`
jsep.addBinaryOp('else', 0.6);
jsep.addBinaryOp('if', 0.7);
// a parenthesised group keeps a mark, so the `not` fix below does not move a `not` out of it
const parser = (jsep as unknown as { Jsep: { prototype: { gobbleGroup(this: unknown): Expression | false } } }).Jsep.prototype;
const gobbleGroup = parser.gobbleGroup;
parser.gobbleGroup = function markedGroup(this: unknown) {
  const node = gobbleGroup.call(this);
  return node ? ({ ...node, [PAREN]: true } as Expression) : node;
};
// string literals keep backslashes as written, as in Ansible (which doubles them before Jinja reads
// the template): '\d+' is the regular expression \d+, 'a\1' a back-reference; only \' and \" escape a quote
const PY_ESCAPES: Record<string, string> = { "'": "'", '"': '"' };
(parser as unknown as { gobbleStringLiteral(this: { expr: string; index: number; throwError(m: string): never }): Expression }).gobbleStringLiteral = function pyString() {
  const start = this.index;
  const quote = this.expr.charAt(this.index++);
  let str = '';
  while (this.index < this.expr.length) {
    const ch = this.expr.charAt(this.index++);
    if (ch === quote) return { type: 'Literal', value: str, raw: this.expr.slice(start, this.index) };
    if (ch !== '\\') {
      str += ch;
      continue;
    }
    const next = this.expr.charAt(this.index++);
    str += Object.hasOwn(PY_ESCAPES, next) ? PY_ESCAPES[next] : `\\${next}`;
  }
  return this.throwError(`Unclosed quote after "${str}"`);
};
// map literals {'a': 1, 'b': x} (Jinja/Python dicts): keys are expressions (strings or numbers)
interface JsepParser {
  code: number;
  index: number;
  gobbleSpaces(): void;
  gobbleExpression(): Expression | false;
  gobbleTokenProperty(node: Expression): Expression;
  throwError(message: string): never;
}
jsep.hooks.add('gobble-token', function gobbleMap(this: JsepParser, env: { node?: Expression }) {
  const at = (c: number) => (this.code) === c;
  if (!at(123)) return;
  this.index++;
  const properties: Array<{ key: Expression; value: Expression }> = [];
  for (;;) {
    this.gobbleSpaces();
    if (at(125)) {
      this.index++;
      env.node = this.gobbleTokenProperty({ type: 'ObjectExpression', properties });
      return;
    }
    const key = this.gobbleExpression();
    this.gobbleSpaces();
    if (!key || !at(58)) this.throwError('Expected key: value in a map');
    this.index++;
    const value = this.gobbleExpression();
    if (!value) this.throwError('Expected a value after :');
    properties.push({ key, value });
    this.gobbleSpaces();
    if (at(44)) this.index++;
    else if (!at(125)) this.throwError('Expected , or } in a map');
  }
} as never);
jsep.addLiteral('True', true);
jsep.addLiteral('False', false);
jsep.addLiteral('None', null);
jsep.addLiteral('none', null);

const FUNCTIONS: Record<string, (args: unknown[], fail: (why: string) => never) => unknown> = {
  len: ([x], fail) => {
    if (typeof x === 'string' || Array.isArray(x)) return x.length;
    if (isMap(x)) return Object.keys(x).length;
    return fail(`len() needs a string, list or map, got ${typeName(x)}`);
  },
  int: ([x], fail) => {
    if (typeof x === 'number') return Math.trunc(x);
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (typeof x === 'string' && /^\s*[-+]?\d+(\.\d*)?\s*$/.test(x)) return Math.trunc(Number(x));
    return fail(`int() cannot convert ${JSON.stringify(x)}`);
  },
  str: ([x]) => toText(x),
  bool: ([x]) => (typeof x === 'string' ? ['true', 'yes', 'on', '1'].includes(x.trim().toLowerCase()) : truthy(x)),
  lower: ([s], fail) => (typeof s === 'string' ? s.toLowerCase() : fail(`lower() needs a string, got ${typeName(s)}`)),
  upper: ([s], fail) => (typeof s === 'string' ? s.toUpperCase() : fail(`upper() needs a string, got ${typeName(s)}`)),
  startswith: ([s, p], fail) =>
    typeof s === 'string' && typeof p === 'string' ? s.startsWith(p) : fail('startswith() needs two strings'),
  contains: ([s, p], fail) => contains(s, p, fail),
};
const ARITY: Record<string, number> = { len: 1, int: 1, str: 1, bool: 1, lower: 1, upper: 1, startswith: 2, contains: 2 };

const parsed = new Map<string, Expression>();

/** The name a reason quotes first ('name' or the function in "name()"): where its error points. */
function quotedName(why: string): string | undefined {
  return /'([A-Za-z_][\w.]*)'/.exec(why)?.[1] ?? /^(?:unknown test |only these functions)?([A-Za-z_]\w*)\(\)/.exec(why)?.[1];
}

/** Parse an expression (a whole `{{ expr }}` is accepted too). Syntax errors -> InputError at source. */
export function parseExpression(text: string, source: Source): Expression {
  const cached = parsed.get(text);
  if (cached) return cached;
  const inner = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  const body = inner && !inner[1].includes('{{') ? inner[1] : text;
  if (body.trim() === '') throw new InputError('empty expression', source);
  let ast: Expression;
  try {
    if (bracketDepth(body) > MAX_EXPR_DEPTH) throw new RangeError();
    const raw = jsep(body);
    if (astDepth(raw) > MAX_EXPR_DEPTH) throw new RangeError();
    ast = fixNotPrecedence(raw);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new InputError(`expression is nested too deeply (more than ${MAX_EXPR_DEPTH} levels)`, source, { expected: 'a simpler expression' });
    }
    const msg = (err as Error).message;
    const at = /at character (\d+)/.exec(msg);
    throw new InputError(`invalid expression ${JSON.stringify(text)}: ${msg}`, at ? sourceWithin(source, body, Number(at[1])) : sourceWithin(source, body));
  }
  checkSupported(ast, text, source);
  parsed.set(text, ast);
  return ast;
}

/** Deepest nesting an expression may have: bounds every recursive walk of its tree (no stack overflow). */
export const MAX_EXPR_DEPTH = 100;

function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const c of text) {
    if (c === '(' || c === '[') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  return max;
}

/** Depth of a parsed tree, without recursion. */
function astDepth(root: Expression): number {
  let max = 0;
  const todo: Array<[unknown, number]> = [[root, 1]];
  while (todo.length) {
    const [node, d] = todo.pop() as [unknown, number];
    if (!node || typeof node !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_EXPR_DEPTH) return max;
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach((x) => todo.push([x, d + 1]));
      else if (v && typeof v === 'object') todo.push([v, d + 1]);
    }
  }
  return max;
}

/**
 * Root names an expression reads (`a` of `a.b[c]`, and `c`), and the names it tests with
 * `is defined` / `is undefined` (which may be missing). For the offline check of every name.
 */
export function namesOf(ast: Expression): { reads: Set<string>; tested: Set<string> } {
  const reads = new Set<string>();
  const tested = new Set<string>();
  const todo: Expression[] = [ast];
  while (todo.length) {
    const n = todo.pop() as Expression;
    switch (n.type) {
      case 'Identifier':
        reads.add(n.name as string);
        break;
      case 'MemberExpression':
        todo.push(n.object as Expression);
        if (n.computed) todo.push(n.property as Expression);
        break;
      case 'CallExpression':
        todo.push(...(n.arguments as Expression[]));
        break;
      case 'BinaryExpression':
        if (n.operator === 'is') {
          let left = n.left as Expression;
          while (left.type === 'MemberExpression') left = left.object as Expression;
          if (left.type === 'Identifier') tested.add(left.name as string);
          else todo.push(n.left as Expression);
          // a test's arguments are read (`x is version(v, '>=')`), not its name
          const right = isNot(n.right as Expression) ? ((n.right as Expression).argument as Expression) : (n.right as Expression);
          if (right.type === 'CallExpression') todo.push(...(right.arguments as Expression[]));
        } else if (n.operator === '|') {
          // the filter's name is not a variable; its arguments are read (keyword names are not)
          const right = n.right as Expression;
          const filter = dotted((right.type === 'CallExpression' ? right.callee : right) as Expression);
          let left = n.left as Expression;
          while (left.type === 'MemberExpression') left = left.object as Expression;
          // `x | default(...)` may name an undefined x, as `x is defined` may
          if (filter !== undefined && filterDef(filter)?.acceptsUndefined === true && left.type === 'Identifier') tested.add(left.name as string);
          else todo.push(n.left as Expression);
          if (right.type === 'CallExpression') {
            for (const a of right.arguments as Expression[]) {
              const keyword = a.type === 'BinaryExpression' && a.operator === '=' && (a.left as Expression).type === 'Identifier';
              todo.push(keyword ? (a.right as Expression) : a);
            }
          }
        } else todo.push(n.left as Expression, n.right as Expression);
        break;
      case 'ObjectExpression':
        // keys are expressions, as the evaluator (and Jinja) read them
        for (const p of n.properties as Array<{ key: Expression; value: Expression }>) todo.push(p.key, p.value);
        break;
      case 'UnaryExpression':
        todo.push(n.argument as Expression);
        break;
      case 'ArrayExpression':
        for (const e of n.elements as Array<Expression | null>) if (e) todo.push(e);
        break;
      default:
        break;
    }
  }
  return { reads, tested };
}

/**
 * jsep binds unary operators tighter than binary ones; Python/Jinja bind `not` looser than
 * comparisons: `not a == b` is `not (a == b)`. Hoist a `not` found on the left of a non-boolean
 * binary operator.
 */
function fixNotPrecedence(node: Expression): Expression {
  const out = fixNot(node);
  return isParen(node) ? ({ ...out, [PAREN]: true }) : out;
}

function isParen(n: Expression): boolean {
  return (n as unknown as Record<symbol, unknown>)[PAREN] === true;
}

function fixNot(node: Expression): Expression {
  switch (node.type) {
    case 'BinaryExpression': {
      const left = fixNotPrecedence(node.left as Expression);
      const right = fixNotPrecedence(node.right as Expression);
      if (!['and', 'or', 'if', 'else'].includes(node.operator as string) && isNot(left) && !isParen(left)) {
        const inner = fixNotPrecedence({ ...node, left: left.argument, right });
        return { type: 'UnaryExpression', operator: 'not', prefix: true, argument: inner };
      }
      return { ...node, left, right };
    }
    case 'UnaryExpression':
      return { ...node, argument: fixNotPrecedence(node.argument as Expression) };
    default:
      return node;
  }
}

function isNot(n: Expression): n is Expression & { argument: Expression } {
  return n.type === 'UnaryExpression' && n.operator === 'not';
}

const SUPPORTED = new Set(['Literal', 'Identifier', 'MemberExpression', 'BinaryExpression', 'UnaryExpression', 'CallExpression', 'ArrayExpression', 'ObjectExpression']);

function checkSupported(node: Expression, text: string, source: Source): void {
  const fail = (why: string): never => {
    throw new InputError(`invalid expression ${JSON.stringify(text)}: ${why}`, sourceWithin(source, text, quotedName(why)));
  };
  if (node.type === 'Compound' && (node.body as Expression[]).some((n) => n.type === 'Identifier' && (n.name === 'if' || n.name === 'else'))) {
    fail('an inline if is written A if CONDITION else B (else B may be left out)');
  }
  if (!SUPPORTED.has(node.type)) {
    const what: Record<string, string> = {
      ConditionalExpression: 'the ?: operator is not supported',
      Compound: 'several expressions separated by , or ; are not supported',
      ThisExpression: '`this` is not supported',
    };
    fail(what[node.type] ?? `${node.type} is not supported`);
  }
  if (node.type === 'BinaryExpression' && node.operator === '|') {
    checkFilter(node, fail);
    checkSupported(node.left as Expression, text, source);
    filterCall(node.right as Expression, fail).args.forEach((a) => checkSupported(a.value, text, source));
    return;
  }
  if (node.type === 'BinaryExpression' && node.operator === '=') fail('name=value is only for keyword arguments of filters, e.g. map(attribute=\'name\') (compare with ==)');
  if (node.type === 'BinaryExpression' && node.operator === 'else' && !isIf(node.left as Expression)) fail('else without if: write A if CONDITION else B');
  if (node.type === 'CallExpression') {
    const callee = node.callee as Expression;
    if (callee.type !== 'Identifier' || !Object.hasOwn(FUNCTIONS, callee.name as string)) {
      fail(`only these functions exist: ${Object.keys(FUNCTIONS).join(', ')}`);
    }
    const name = callee.name as string;
    const args = node.arguments as Expression[];
    if (args.length !== ARITY[name]) fail(`${name}() takes ${ARITY[name]} argument(s), got ${args.length}`);
    args.forEach((a) => checkSupported(a, text, source));
    return;
  }
  if (node.type === 'BinaryExpression' && node.operator === 'is') {
    const test = testOf(node.right as Expression);
    if (!test) fail('`is` must be followed by a test: `defined`, `undefined`, `none`, `truthy`, `match(\'re\')`, `version(\'1.2\', \'>=\')`, ...');
    else if (test.name !== 'defined' && test.name !== 'undefined') {
      if (!Object.hasOwn(TESTS, test.name)) fail(`unknown test '${test.name}'${didYouMean(test.name, Object.keys(TESTS))}`);
      const arity = TESTS[test.name].args;
      if (test.args.length > arity || test.args.length < (TESTS[test.name].required ?? arity)) fail(`test ${test.name} takes ${arity} argument(s), got ${test.args.length}`);
      test.args.forEach((a) => checkSupported(a, text, source));
    }
    checkSupported(node.left as Expression, text, source);
    return;
  }
  for (const key of ['left', 'right', 'argument', 'object', 'property'] as const) {
    const child = node[key] as Expression | undefined;
    if (child && !(node.type === 'MemberExpression' && key === 'property' && !node.computed)) checkSupported(child, text, source);
  }
  if (node.type === 'ArrayExpression') (node.elements as Array<Expression | null>).forEach((e) => e && checkSupported(e, text, source));
  if (node.type === 'ObjectExpression') {
    for (const p of node.properties as Array<{ key: Expression; value: Expression }>) {
      checkSupported(p.key, text, source);
      checkSupported(p.value, text, source);
    }
  }
}

/** A filter's name (dotted: ansible.utils.ipaddr) and arguments (keyword ones with their name). */
function filterCall(n: Expression, fail: (why: string) => never): { name: string; args: Array<{ key?: string; value: Expression }> } {
  const call = n.type === 'CallExpression' ? n : undefined;
  const name = dotted((call ? call.callee : n) as Expression);
  if (name === undefined) return fail('a filter after | must be a name, like default(\'x\') or ansible.utils.ipaddr(\'network\')');
  const args = ((call?.arguments ?? []) as Expression[]).map((a) =>
    a.type === 'BinaryExpression' && a.operator === '=' && (a.left as Expression).type === 'Identifier'
      ? { key: (a.left as Expression).name as string, value: a.right as Expression }
      : { value: a },
  );
  return { name, args };
}

function dotted(n: Expression): string | undefined {
  if (n.type === 'Identifier') return n.name as string;
  if (n.type === 'MemberExpression' && !n.computed) {
    const left = dotted(n.object as Expression);
    return left === undefined ? undefined : `${left}.${(n.property as Expression).name as string}`;
  }
  return undefined;
}

/** Offline: the filter exists, takes these arguments, and a filter or test named by a literal exists. */
function checkFilter(node: Expression, fail: (why: string) => never): void {
  const { name, args } = filterCall(node.right as Expression, fail);
  const def = filterDef(name);
  if (!def) fail(`unknown filter '${name}'${didYouMean(name, filterNames())}`);
  const firstKw = args.findIndex((a) => a.key !== undefined);
  if (firstKw >= 0 && args.slice(firstKw).some((a) => a.key === undefined)) fail(`filter ${name}: a positional argument after a keyword argument`);
  const positional = args.filter((a) => a.key === undefined).map((a) => a.value);
  const keywords = Object.fromEntries(args.filter((a) => a.key !== undefined).map((a) => [a.key as string, a.value]));
  const bound = bindArgs(name, def, positional, keywords);
  if (typeof bound === 'string') fail(bound);
  const literal = (e: Expression | undefined) => (e?.type === 'Literal' && typeof e.value === 'string' ? e.value : undefined);
  const short = name.replace(/^ansible\.builtin\./, '');
  if (short === 'map') {
    const inner = literal(positional[0]);
    if (inner !== undefined && !filterDef(inner)) fail(`unknown filter '${inner}' in map()${didYouMean(inner, filterNames())}`);
  }
  const testArg = ['select', 'reject'].includes(short) ? positional[0] : ['selectattr', 'rejectattr'].includes(short) ? positional[1] : undefined;
  const test = literal(testArg);
  if (test !== undefined && !Object.hasOwn(TESTS, test)) fail(`unknown test '${test}'${didYouMean(test, Object.keys(TESTS))}; tests: ${Object.keys(TESTS).join(', ')}`);
  if (short === 'ipaddr' || /ipaddr$/.test(name)) {
    const q = literal(positional[0] ?? keywords.query);
    if (q !== undefined && !IPADDR_QUERIES.includes(q)) fail(`ipaddr: unknown query '${q}'${didYouMean(q, IPADDR_QUERIES)}`);
  }
}

/** `left | filter(args)`: the left side may be undefined for default/mandatory; unknowns stay unknown. */
function applyFilter(node: Expression, ctx: Ctx, fail: (why: string) => never): unknown {
  const { name, args } = filterCall(node.right as Expression, fail);
  const def = filterDef(name) as FilterDef;
  const left = ev(node.left as Expression, ctx, def.acceptsUndefined === true);
  if (isUnknown(left)) return left;
  const values = args.map((a) => ev(a.value, ctx, false));
  if (values.some(isUnknown)) return unknownOf(...values);
  if ((def === filterDef('length')) && isPartial(left)) return new Unknown([`${describe(node.left as Expression)} | length`]);
  const positional = values.filter((_v, i) => args[i].key === undefined);
  const keywords = Object.fromEntries(args.flatMap((a, i) => (a.key === undefined ? [] : [[a.key, values[i]]])));
  return taintFrom(ctx, callFilter(name, left === MISSING ? undefined : left, positional, keywords, fail), [left, ...values]);
}

function callFilter(name: string, input: unknown, positional: unknown[], keywords: Record<string, unknown>, fail: (why: string) => never): unknown {
  const def = filterDef(name);
  if (!def) return fail(`unknown filter '${name}'${didYouMean(name, filterNames())}`);
  const bound = bindArgs(name, def, positional, keywords);
  if (typeof bound === 'string') return fail(bound);
  return def.fn(input, bound.args, fail, (inner, x, a) => callFilter(inner, x, a, {}, fail), bound.kw);
}

/** The right side of `is`: a test name, its arguments, negated by `not`. */
function testOf(n: Expression): { name: string; args: Expression[]; negated: boolean } | undefined {
  const negated = isNot(n);
  const t = negated ? (n.argument) : n;
  if (t.type === 'Identifier') return { name: t.name as string, args: [], negated };
  if (t.type === 'Literal' && t.value === null) return { name: 'none', args: [], negated };
  if (t.type === 'CallExpression' && (t.callee as Expression).type === 'Identifier') return { name: (t.callee as Expression).name as string, args: t.arguments as Expression[], negated };
  return undefined;
}

/** 'defined' | 'undefined' | 'not defined' for the right side of `is`, else undefined. */
function testName(n: Expression): string | undefined {
  if (n.type === 'Identifier' && (n.name === 'defined' || n.name === 'undefined')) return n.name;
  if (isNot(n) && n.argument.type === 'Identifier') {
    const inner = n.argument.name;
    if (inner === 'defined') return 'not defined';
    if (inner === 'undefined') return 'defined';
  }
  return undefined;
}

/** Marker for "not defined" while evaluating under `is defined`. */
const MISSING: unique symbol = Symbol('missing');

interface Ctx {
  vars: Vars;
  source: Source;
  text: string;
  /** Names being resolved (lazy templated variables), to report cycles. */
  resolving: string[];
  /** Renders a looked-up value that holds `{{ }}` (render.ts's resolveNested, passed in: no import circle). */
  resolve: NestedResolver;
  /** A secret was read: the expression's value is secret too. */
  tainted?: boolean;
}

/** Knows the secret values; told about every value computed from one (engine/secrets.ts). */
export interface SecretTracker {
  holdsSecret(v: unknown): boolean;
  add(v: unknown): void;
}

let secrets: SecretTracker | undefined;

/** Secrets propagate: any value an expression computes after reading a secret is marked secret. */
export function trackSecrets(tracker: SecretTracker | undefined): void {
  secrets = tracker;
}

/** Lazy templating: a variable's value rendered when it holds `{{ }}`, with a cycle check. */
export type NestedResolver = (value: unknown, name: string, vars: Vars, source: Source, resolving: string[]) => unknown;

/**
 * Evaluate an expression (or its text) against vars, rendering looked-up templates with `resolve`.
 * Undefined names -> InputError. Callers use evaluate() (vars/evaluate.ts), which passes render's resolver.
 */
export function evaluateWith(resolve: NestedResolver, expr: Expression | string, vars: Vars, source: Source, resolving: string[] = []): unknown {
  const ast = typeof expr === 'string' ? parseExpression(expr, source) : expr;
  const ctx: Ctx = { vars, source, text: typeof expr === 'string' ? expr : describe(ast), resolving, resolve };
  const out = resolve(resolveFactsDeep(ev(ast, ctx, false)), ctx.text, vars, source, resolving);
  // Derived strings are secret (numbers and booleans, like a length or a test, are not). A plain
  // reference (`creds`, `creds.user`) computes nothing new: its secret leaves are known already.
  const computed = ast.type !== 'Identifier' && ast.type !== 'MemberExpression';
  if (ctx.tainted && (typeof out === 'string' || (computed && out !== null && typeof out === 'object'))) secrets?.add(strings(out));
  return out;
}

/** The string leaves of a value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/** A looked-up string that holds `{{ }}` is rendered when used (lists/maps: once, at the end). */
function leaf(raw: unknown, name: string, ctx: Ctx): unknown {
  const v = resolveFact(raw);
  const out = typeof v === 'string' ? ctx.resolve(v, name, ctx.vars, ctx.source, ctx.resolving) : v;
  // Only a scalar read taints: a map that merely holds a secret somewhere (hostvars, a role's
  // vars) taints nothing until a computation turns it into a string (taintFrom).
  if (!ctx.tainted && (out === null || typeof out !== 'object') && secrets?.holdsSecret(out)) ctx.tainted = true;
  return out;
}

/** A string computed from lists or maps that hold a secret is secret (`creds | join(',')`). */
function taintFrom(ctx: Ctx, result: unknown, inputs: unknown[]): unknown {
  if (!ctx.tainted && typeof result === 'string' && inputs.some((v) => v !== null && typeof v === 'object' && secrets?.holdsSecret(v))) {
    ctx.tainted = true;
  }
  return result;
}

/** Python/Jinja truthiness: false, 0, "", [], {}, null are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

function ev(node: Expression, ctx: Ctx, probe: boolean): unknown {
  const fail = (why: string): never => {
    // after reading a secret, a quoted value in the reason may be derived from it
    if (ctx.tainted) why = why.replace(/"(?:[^"\\]|\\.)*"/g, MASK);
    throw new InputError(`${why} (in ${JSON.stringify(ctx.text.trim())})`, sourceWithin(ctx.source, ctx.text.trim(), quotedName(why)));
  };
  switch (node.type) {
    case 'Literal':
      return node.value;
    case 'ArrayExpression':
      return (node.elements as Expression[]).map((e) => ev(e, ctx, false));
    case 'ObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const p of node.properties as Array<{ key: Expression; value: Expression }>) {
        const key = ev(p.key, ctx, false);
        const value = ev(p.value, ctx, false);
        if (isUnknown(key) || isUnknown(value)) return unknownOf(key, value);
        if (typeof key !== 'string' && typeof key !== 'number') return fail(`a map key must be a string or number, got ${typeName(key)}`);
        Object.defineProperty(out, String(key), { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'Identifier': {
      const name = node.name as string;
      if (!Object.hasOwn(ctx.vars, name)) {
        if (probe) return MISSING;
        return fail(`undefined variable '${name}'${didYouMean(name, Object.keys(ctx.vars))}`);
      }
      return leaf(ctx.vars[name], name, ctx);
    }
    case 'MemberExpression': {
      const obj = ev(node.object as Expression, ctx, probe);
      if (obj === MISSING || isUnknown(obj)) return obj;
      const prop = node.computed ? ev(node.property as Expression, ctx, false) : (node.property as Expression).name;
      if (isUnknown(prop)) return prop;
      const where = describe(node.object as Expression);
      let out: unknown = MISSING;
      if (Array.isArray(obj) || typeof obj === 'string') {
        if (typeof prop !== 'number' || !Number.isInteger(prop)) {
          return probe ? MISSING : fail(`'${where}' is ${typeName(obj)}: index it with an integer`);
        }
        const i = prop < 0 ? obj.length + prop : prop;
        if (i >= 0 && i < obj.length) out = obj[i];
        else if (!probe) return fail(`index ${prop} is out of range for '${where}' (length ${obj.length})`);
      } else if (isMap(obj)) {
        const key = String(prop);
        if (Object.hasOwn(obj, key)) out = obj[key];
        else if (isPartial(obj)) return new Unknown([`${where}.${key}`]);
        else if (!probe) return fail(`'${where}' has no key '${key}'`);
      } else if (!probe) {
        return fail(`'${where}' is ${typeName(obj)}, not a map or list`);
      }
      if (out === MISSING) return MISSING;
      return leaf(out, `${where}.${String(prop)}`, ctx);
    }
    case 'UnaryExpression': {
      const v = ev(node.argument as Expression, ctx, false);
      if (isUnknown(v)) return v;
      if (node.operator === 'not') return !truthy(v);
      if (typeof v !== 'number') return fail(`unary ${node.operator} needs a number, got ${typeName(v)}`);
      return node.operator === '-' ? -v : v;
    }
    case 'CallExpression': {
      const name = (node.callee as Expression).name as string;
      const args = (node.arguments as Expression[]).map((a) => ev(a, ctx, false));
      if (args.some(isUnknown)) return unknownOf(...args);
      // len() of a result that did not run (--check) counts keys only the real run has
      if (name === 'len' && isPartial(args[0])) return new Unknown([`len(${describe((node.arguments as Expression[])[0])})`]);
      return taintFrom(ctx, FUNCTIONS[name](args, fail), args);
    }
    case 'BinaryExpression':
      return binary(node, ctx, fail);
    default:
      return fail(`${node.type} is not supported`);
  }
}

/** `A if C` or a chain ending in one: the left of an `else` must be one. */
function isIf(n: Expression): boolean {
  if (n.type !== 'BinaryExpression' || isParen(n)) return false;
  return n.operator === 'if' || (n.operator === 'else' && isIf(n.right as Expression));
}

/**
 * `A if C else B`, as Jinja: a chain parses as ((A if C) else (B if D)) else E; the first branch
 * whose condition holds is the value; `A if C` alone with C false is '' (Jinja's undefined, rendered).
 */
function conditional(node: Expression, ctx: Ctx, top = true): { done: boolean; value: unknown } {
  // a parenthesised inline if inside the chain is one value; the chain's own top may have parentheses
  const chained = node.type === 'BinaryExpression' && (top || !isParen(node));
  if (chained && node.operator === 'else') {
    const first = conditional(node.left as Expression, ctx, false);
    return first.done ? first : conditional(node.right as Expression, ctx, false);
  }
  if (chained && node.operator === 'if') {
    const c = ev(node.right as Expression, ctx, false);
    if (isUnknown(c)) return { done: true, value: c };
    return truthy(c) ? { done: true, value: ev(node.left as Expression, ctx, false) } : { done: false, value: '' };
  }
  return { done: true, value: ev(node, ctx, false) };
}

function binary(node: Expression, ctx: Ctx, fail: (why: string) => never): unknown {
  const op = node.operator as string;
  if (op === '|') return applyFilter(node, ctx, fail);
  if (op === 'if' || op === 'else') return conditional(node, ctx).value;
  if (op === 'is') {
    const test = testOf(node.right as Expression) as { name: string; args: Expression[]; negated: boolean };
    if (test.name === 'defined' || test.name === 'undefined') {
      const v = ev(node.left as Expression, ctx, true);
      if (isUnknown(v)) return v;
      const defined = v !== MISSING;
      return testName(node.right as Expression) === 'not defined' || (node.right as Expression).name === 'undefined' ? !defined : defined;
    }
    const v = ev(node.left as Expression, ctx, false);
    const args = test.args.map((a) => ev(a, ctx, false));
    if (isUnknown(v) || args.some(isUnknown)) return unknownOf(v, ...args);
    return TESTS[test.name].fn(v, args, fail) !== test.negated;
  }
  const left = ev(node.left as Expression, ctx, false);
  if (op === 'and' || op === 'or') {
    if (isUnknown(left)) {
      const right = ev(node.right as Expression, ctx, false);
      if (!isUnknown(right) && (op === 'and' ? !truthy(right) : truthy(right))) return right;
      return unknownOf(left, right);
    }
    if (op === 'and') return truthy(left) ? ev(node.right as Expression, ctx, false) : left;
    return truthy(left) ? left : ev(node.right as Expression, ctx, false);
  }
  const right = ev(node.right as Expression, ctx, false);
  if (isUnknown(left) || isUnknown(right)) return unknownOf(left, right);
  if ((op === 'in' || op === 'not in') && isPartial(right) && (typeof left === 'string' || typeof left === 'number') && !Object.hasOwn(right, String(left))) {
    return new Unknown([`${describe(node.right as Expression)}.${String(left)}`]);
  }
  switch (op) {
    case '~':
      return taintFrom(ctx, toText(left) + toText(right), [left, right]);
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string'))) {
        return fail(`cannot compare ${typeName(left)} with ${typeName(right)} using ${op} (convert with int() or str())`);
      }
      return op === '<' ? left < right : op === '<=' ? left <= right : op === '>' ? left > right : left >= right;
    }
    case 'in':
      return contains(right, left, fail);
    case 'not in':
      return !contains(right, left, fail);
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return left + right;
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
      return fail(`cannot add ${typeName(left)} and ${typeName(right)} (convert with int() or str())`);
    case '-':
    case '*':
    case '/':
    case '%': {
      if (typeof left !== 'number' || typeof right !== 'number') return fail(`${op} needs numbers, got ${typeName(left)} and ${typeName(right)}`);
      if ((op === '/' || op === '%') && right === 0) return fail('division by zero');
      return op === '-' ? left - right : op === '*' ? left * right : op === '/' ? left / right : ((left % right) + right) % right;
    }
    default:
      return fail(`operator ${op} is not supported`);
  }
}

function contains(container: unknown, item: unknown, fail: (why: string) => never): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') return fail(`'in <string>' needs a string on the left, got ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (isMap(container)) {
    if (typeof item !== 'string' && typeof item !== 'number') return fail(`'in <map>' needs a key (a string or number) on the left, got ${typeName(item)}`);
    return Object.hasOwn(container, String(item));
  }
  return fail(`'in' needs a string, list or map on the right, got ${typeName(container)}`);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

/** Text of a value inside a rendered string: lists and maps as JSON, null as "". */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Short source-like text of an AST node (for messages). */
function describe(n: Expression): string {
  switch (n.type) {
    case 'Identifier':
      return n.name as string;
    case 'Literal':
      return JSON.stringify(n.value);
    case 'MemberExpression': {
      const obj = describe(n.object as Expression);
      return n.computed ? `${obj}[${describe(n.property as Expression)}]` : `${obj}.${(n.property as Expression).name as string}`;
    }
    default:
      return 'expression';
  }
}
