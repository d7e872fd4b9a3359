/**
 * Jinja/Ansible filters of expressions (`x | default('a')`, docs/file-formats.md): the names and
 * behaviour Ansible users know, checked offline by name and argument count (src/vars/expr.ts), and
 * the `is` tests selectattr/rejectattr/select/reject take. `ansible.builtin.NAME` is NAME;
 * ipaddr is also `ansible.utils.ipaddr` / `ansible.netcommon.ipaddr`.
 */
import { deepEqual, isMap, toText, truthy, typeName } from './expr.js';
import { ipaddr } from './ipaddr.js';
import { resolveFact } from './facts.js';
import { isUnknown, unknownOf } from './unknown.js';

export type Fail = (why: string) => never;

export interface FilterDef {
  /** Parameter names in order (keyword arguments use them). */
  params: string[];
  /** How many of them must be given. */
  required: number;
  /** Takes any number of further positional arguments. */
  varargs?: boolean;
  /** Keyword-only arguments (map's attribute=, default=). */
  keywords?: string[];
  /** Receives the left side even when it is undefined (`undefined` then). */
  acceptsUndefined?: boolean;
  fn(input: unknown, args: unknown[], fail: Fail, apply: Apply, kw: Record<string, unknown>): unknown;
}

/** Another filter applied to a value (map('lower')). */
export type Apply = (name: string, input: unknown, args: unknown[]) => unknown;

const f = (params: string[], required: number, fn: FilterDef['fn'], extra: Partial<FilterDef> = {}): FilterDef => ({ params, required, fn, ...extra });

const str = (v: unknown, what: string, fail: Fail): string => (typeof v === 'string' ? v : fail(`${what} needs a string, got ${typeName(v)}`));
const list = (v: unknown, what: string, fail: Fail): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMap(v)) return Object.keys(v);
  return fail(`${what} needs a list, got ${typeName(v)}`);
};
const uniq = (xs: unknown[]): unknown[] => xs.filter((x, i) => xs.findIndex((y) => deepEqual(x, y)) === i);
const has = (xs: unknown[], x: unknown): boolean => xs.some((y) => deepEqual(x, y));

/** Jinja's int(): a number, a numeric string (base 10, or 0x/0o/0b with base 0... as Python), else the default. */
function toInt(v: unknown, dflt: unknown, base: unknown): unknown {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    const b = typeof base === 'number' ? base : 10;
    if (b === 10 && /^[-+]?\d+$/.test(s)) return Number.parseInt(s, 10);
    if (b !== 10 && s !== '' && /^[-+]?[0-9a-z]+$/i.test(s.replace(/^[-+]?0[xob]/i, ''))) {
      const n = Number.parseInt(s.replace(/^([-+]?)0[xob]/i, '$1'), b);
      if (!Number.isNaN(n)) return n;
    }
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Math.trunc(Number(s));
  }
  return dflt ?? 0;
}

function toFloat(v: unknown, dflt: unknown): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v)) return Number(v);
  return dflt ?? 0;
}

/** Ansible's bool: yes/on/1/true (any case) and 1 are true, everything else false. */
function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true', 'y', 't'].includes(v.trim().toLowerCase());
  return false;
}

/** A Python regular expression as a JS one: (?P<n>...) and (?P=n) named groups, flags. */
export function pyRegex(pattern: string, flags: string, fail: Fail): RegExp {
  const js = pattern.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>');
  try {
    return new RegExp(js, flags);
  } catch (err) {
    return fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/** Python's re.sub replacement (\1, \g<1>, \g<name>) as a JS one ($1, $<name>); a literal $ stays. */
function pyReplacement(r: string): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', '\\': '\\' };
  return r.replace(/\$/g, '$$$$').replace(/\\(g<(\w+)>|\d{1,2}|.)/g, (_m, what: string, group?: string) => {
    if (group !== undefined) return /^\d+$/.test(group) ? `$${group}` : `$<${group}>`;
    if (/^\d+$/.test(what)) return `$${what}`;
    return escapes[what] ?? `\\${what}`;
  });
}

function attr(item: unknown, path: string, fail: Fail): unknown {
  let v: unknown = item;
  for (const key of path.split('.')) {
    if (isMap(v) && Object.hasOwn(v, key)) v = v[key];
    else if (Array.isArray(v) && /^\d+$/.test(key) && Number(key) < v.length) v = v[Number(key)];
    else return undefined;
  }
  return v === undefined ? fail(`attribute '${path}' is undefined`) : v;
}

/** Attribute of a list item, undefined (not an error) when missing: selectattr('x', 'defined'). */
function attrOrUndefined(item: unknown, path: string): unknown {
  try {
    return attr(item, path, () => {
      throw new Error('missing');
    });
  } catch {
    return undefined;
  }
}

/** Jinja/Ansible tests for select/reject/selectattr/rejectattr: name -> (value, args) -> boolean. */
export const TESTS: Record<string, { args: number; required?: number; fn: (v: unknown, a: unknown[], fail: Fail) => boolean }> = {
  version: { args: 2, required: 1, fn: (v, [want, op], fail) => versionTest(v, want, op, fail) },
  version_compare: { args: 2, required: 1, fn: (v, [want, op], fail) => versionTest(v, want, op, fail) },
  defined: { args: 0, fn: (v) => v !== undefined },
  undefined: { args: 0, fn: (v) => v === undefined },
  none: { args: 0, fn: (v) => v === null },
  truthy: { args: 0, fn: (v) => truthy(v) },
  falsy: { args: 0, fn: (v) => !truthy(v) },
  equalto: { args: 1, fn: (v, [x]) => deepEqual(v, x) },
  '==': { args: 1, fn: (v, [x]) => deepEqual(v, x) },
  eq: { args: 1, fn: (v, [x]) => deepEqual(v, x) },
  '!=': { args: 1, fn: (v, [x]) => !deepEqual(v, x) },
  ne: { args: 1, fn: (v, [x]) => !deepEqual(v, x) },
  '>': { args: 1, fn: (v, [x], fail) => compare(v, x, fail) > 0 },
  gt: { args: 1, fn: (v, [x], fail) => compare(v, x, fail) > 0 },
  '>=': { args: 1, fn: (v, [x], fail) => compare(v, x, fail) >= 0 },
  ge: { args: 1, fn: (v, [x], fail) => compare(v, x, fail) >= 0 },
  '<': { args: 1, fn: (v, [x], fail) => compare(v, x, fail) < 0 },
  lt: { args: 1, fn: (v, [x], fail) => compare(v, x, fail) < 0 },
  '<=': { args: 1, fn: (v, [x], fail) => compare(v, x, fail) <= 0 },
  le: { args: 1, fn: (v, [x], fail) => compare(v, x, fail) <= 0 },
  in: { args: 1, fn: (v, [x]) => (Array.isArray(x) ? has(x, v) : typeof x === 'string' && typeof v === 'string' ? x.includes(v) : isMap(x) && Object.hasOwn(x, String(v))) },
  contains: { args: 1, fn: (v, [x]) => (Array.isArray(v) ? has(v, x) : typeof v === 'string' && typeof x === 'string' && v.includes(x)) },
  string: { args: 0, fn: (v) => typeof v === 'string' },
  number: { args: 0, fn: (v) => typeof v === 'number' },
  boolean: { args: 0, fn: (v) => typeof v === 'boolean' },
  mapping: { args: 0, fn: (v) => isMap(v) },
  match: { args: 1, fn: (v, [p], fail) => typeof v === 'string' && pyRegex(`^(?:${str(p, 'match', fail)})`, '', fail).test(v) },
  search: { args: 1, fn: (v, [p], fail) => typeof v === 'string' && pyRegex(str(p, 'search', fail), '', fail).test(v) },
  startswith: { args: 1, fn: (v, [p]) => typeof v === 'string' && typeof p === 'string' && v.startsWith(p) },
};

/** Ansible's version test (loose versions): '22.04' is version('20.04', '>='). */
function versionTest(v: unknown, want: unknown, op: unknown, fail: Fail): boolean {
  const parts = (x: unknown) => toText(x).split(/[.\-+~]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const a = parts(v);
  const b = parts(want);
  let c = 0;
  for (let i = 0; i < Math.max(a.length, b.length) && c === 0; i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : typeof x === 'number' ? 1 : -1;
  }
  const ops: Record<string, boolean> = { '<': c < 0, lt: c < 0, '<=': c <= 0, le: c <= 0, '>': c > 0, gt: c > 0, '>=': c >= 0, ge: c >= 0, '==': c === 0, '=': c === 0, eq: c === 0, '!=': c !== 0, '<>': c !== 0, ne: c !== 0 };
  const key = op === undefined ? 'eq' : String(op);
  if (!(key in ops)) return fail(`version: unknown operator ${JSON.stringify(op)}`);
  return ops[key];
}

function compare(a: unknown, b: unknown, fail: Fail): number {
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) return a < b ? -1 : a > b ? 1 : 0;
  return fail(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

function runTest(name: unknown, v: unknown, args: unknown[], fail: Fail): boolean {
  const test = typeof name === 'string' ? TESTS[name] : undefined;
  if (!test) return fail(`unknown test ${JSON.stringify(name)}; tests: ${Object.keys(TESTS).join(', ')}`);
  return test.fn(v, args, fail);
}

/** Python's str() of a value: ['a', 1, True], {'k': None}. */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isMap(v)) return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

/** json.dumps' default layout: ", " and ": " separators. */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (isMap(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(out[k]) && isMap(v) ? deepMerge(out[k], v) : v;
  return out;
}

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return typeof v === 'string' && !caseSensitive ? v.toLowerCase() : v;
}

/** Python's str.split: no separator = runs of whitespace, empty strings dropped. */
function pySplit(s: string, sep: unknown, max: unknown): string[] {
  const limit = typeof max === 'number' && max >= 0 ? max : Infinity;
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '' && out.length < limit) {
      const m = /\s+/.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest !== '') out.push(limit === out.length ? rest : rest.replace(/\s+$/, ''));
    return out.filter((x) => x !== '');
  }
  const parts = s.split(String(sep));
  return parts.length - 1 <= limit ? parts : [...parts.slice(0, limit), parts.slice(limit).join(String(sep))];
}

export const FILTERS: Record<string, FilterDef> = {
  default: f(['default_value', 'boolean'], 0, (v, [d, b]) => (v === undefined || (b === true && !truthy(v)) ? (d === undefined ? '' : d) : v), { acceptsUndefined: true }),
  mandatory: f(['msg'], 0, (v, [msg], fail) => (v === undefined ? fail(typeof msg === 'string' ? msg : 'mandatory variable not defined') : v), { acceptsUndefined: true }),
  length: f([], 0, (v, _a, fail) => (typeof v === 'string' || Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : fail(`length needs a string, list or map, got ${typeName(v)}`))),
  lower: f([], 0, (v, _a, fail) => str(v, 'lower', fail).toLowerCase()),
  upper: f([], 0, (v, _a, fail) => str(v, 'upper', fail).toUpperCase()),
  capitalize: f([], 0, (v, _a, fail) => {
    const s = str(v, 'capitalize', fail);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  }),
  trim: f([], 0, (v, _a, fail) => str(v, 'trim', fail).trim()),
  int: f(['default', 'base'], 0, (v, [d, b]) => toInt(v, d, b)),
  float: f(['default'], 0, (v, [d]) => toFloat(v, d)),
  bool: f([], 0, (v) => toBool(v)),
  string: f([], 0, (v) => (typeof v === 'string' ? v : pyRepr(v))),
  abs: f([], 0, (v, _a, fail) => (typeof v === 'number' ? Math.abs(v) : fail(`abs needs a number, got ${typeName(v)}`))),
  round: f(['precision', 'method'], 0, (v, [p, m], fail) => {
    if (typeof v !== 'number') return fail(`round needs a number, got ${typeName(v)}`);
    const k = 10 ** (typeof p === 'number' ? p : 0);
    const fn = m === 'ceil' ? Math.ceil : m === 'floor' ? Math.floor : Math.round;
    return fn(v * k) / k;
  }),
  join: f(['d', 'attribute'], 0, (v, [d, a], fail) =>
    list(v, 'join', fail)
      .map((x) => toText(typeof a === 'string' ? attr(x, a, fail) : x))
      .join(typeof d === 'string' ? d : '')),
  first: f([], 0, (v, _a, fail) => list(v, 'first', fail)[0]),
  last: f([], 0, (v, _a, fail) => list(v, 'last', fail).at(-1)),
  list: f([], 0, (v, _a, fail) => [...list(v, 'list', fail)]),
  unique: f([], 0, (v, _a, fail) => uniq(list(v, 'unique', fail))),
  union: f(['other'], 1, (v, [o], fail) => uniq([...list(v, 'union', fail), ...list(o, 'union', fail)])),
  intersect: f(['other'], 1, (v, [o], fail) => uniq(list(v, 'intersect', fail).filter((x) => has(list(o, 'intersect', fail), x)))),
  difference: f(['other'], 1, (v, [o], fail) => uniq(list(v, 'difference', fail).filter((x) => !has(list(o, 'difference', fail), x)))),
  symmetric_difference: f(['other'], 1, (v, [o], fail) => {
    const a = list(v, 'symmetric_difference', fail);
    const b = list(o, 'symmetric_difference', fail);
    return uniq([...a.filter((x) => !has(b, x)), ...b.filter((x) => !has(a, x))]);
  }),
  min: f([], 0, (v, _a, fail) => [...list(v, 'min', fail)].sort((a, b) => compare(a, b, fail))[0]),
  max: f([], 0, (v, _a, fail) => [...list(v, 'max', fail)].sort((a, b) => compare(a, b, fail)).at(-1)),
  sum: f(['attribute', 'start'], 0, (v, [a, s], fail) =>
    list(v, 'sum', fail).reduce<number>((n, x) => {
      const y = typeof a === 'string' ? attr(x, a, fail) : x;
      return typeof y === 'number' ? n + y : fail(`sum needs numbers, got ${typeName(y)}`);
    }, typeof s === 'number' ? s : 0)),
  sort: f(['reverse', 'case_sensitive', 'attribute'], 0, (v, [r, cs, a], fail) => {
    const key = (x: unknown) => sortKey(typeof a === 'string' ? attr(x, a, fail) : x, cs === true);
    const out = [...list(v, 'sort', fail)].sort((x, y) => compare(key(x), key(y), fail));
    return r === true ? out.reverse() : out;
  }),
  reverse: f([], 0, (v, _a, fail) => (typeof v === 'string' ? [...v].reverse().join('') : [...list(v, 'reverse', fail)].reverse())),
  flatten: f(['levels'], 0, (v, [levels], fail) => {
    const flat = (xs: unknown[], depth: number): unknown[] => xs.flatMap((x) => (Array.isArray(x) && depth !== 0 ? flat(x, depth - 1) : [x]));
    return flat(list(v, 'flatten', fail), typeof levels === 'number' ? levels : -1).filter((x) => x !== null);
  }),
  replace: f(['old', 'new', 'count'], 2, (v, [o, n, c], fail) => {
    const s = str(v, 'replace', fail);
    const parts = s.split(str(o, 'replace', fail));
    const limit = typeof c === 'number' && c >= 0 ? c : parts.length;
    return parts.slice(0, limit + 1).join(str(n, 'replace', fail)) + (parts.length > limit + 1 ? str(o, 'replace', fail) + parts.slice(limit + 1).join(str(o, 'replace', fail)) : '');
  }),
  regex_replace: f(['pattern', 'replacement', 'ignorecase', 'multiline'], 1, (v, [p, r, i, m], fail) =>
    toText(v).replace(pyRegex(str(p, 'regex_replace', fail), `g${i === true ? 'i' : ''}${m === true ? 'm' : ''}`, fail), pyReplacement(typeof r === 'string' ? r : ''))),
  regex_search: f(['pattern'], 1, (v, [p, ...groups], fail) => {
    const m = pyRegex(str(p, 'regex_search', fail), '', fail).exec(toText(v));
    if (!m) return null;
    if (groups.length === 0) return m[0];
    return groups.map((g) => {
      const gm = /^\\(\d+)$/.exec(String(g)) ?? /^\\g<(\w+)>$/.exec(String(g));
      if (!gm) return fail(`regex_search groups are written '\\\\1' or '\\\\g<name>', got ${JSON.stringify(g)}`);
      return /^\d+$/.test(gm[1]) ? (m[Number(gm[1])] ?? null) : (m.groups?.[gm[1]] ?? null);
    });
  }, { varargs: true }),
  regex_findall: f(['pattern'], 1, (v, [p], fail) => [...toText(v).matchAll(pyRegex(str(p, 'regex_findall', fail), 'g', fail))].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0])))),
  split: f(['separator', 'maxsplit'], 0, (v, [s, m], fail) => pySplit(str(v, 'split', fail), s, m)),
  to_json: f(['indent', 'sort_keys'], 0, (v, [ind, sk]) => (typeof ind === 'number' ? JSON.stringify(sk === true ? sortKeys(v) : v, null, ind) : pyJson(sk === true ? sortKeys(v) : v))),
  to_nice_json: f(['indent'], 0, (v, [ind]) => JSON.stringify(v, null, typeof ind === 'number' ? ind : 4)),
  from_json: f([], 0, (v, _a, fail) => {
    try {
      return JSON.parse(str(v, 'from_json', fail)) as unknown;
    } catch (err) {
      return fail(`from_json: ${(err as Error).message}`);
    }
  }),
  b64encode: f([], 0, (v, _a, fail) => Buffer.from(str(v, 'b64encode', fail), 'utf8').toString('base64')),
  b64decode: f([], 0, (v, _a, fail) => Buffer.from(str(v, 'b64decode', fail), 'base64').toString('utf8')),
  basename: f([], 0, (v, _a, fail) => str(v, 'basename', fail).replace(/.*\//, '')),
  dirname: f([], 0, (v, _a, fail) => {
    const s = str(v, 'dirname', fail);
    const i = s.lastIndexOf('/');
    return i < 0 ? '' : i === 0 ? '/' : s.slice(0, i);
  }),
  ternary: f(['true_val', 'false_val', 'none_val'], 2, (v, [t, fv, n]) => (v === null && n !== undefined ? n : truthy(v) ? t : fv)),
  combine: f([], 0, (v, args, fail, _apply, kw) => {
    const maps = [v, ...args].map((m) => (isMap(m) ? m : fail(`combine needs maps, got ${typeName(m)}`)));
    return maps.reduce<Record<string, unknown>>((acc, m) => (kw.recursive === true ? deepMerge(acc, m) : { ...acc, ...m }), {});
  }, { varargs: true, keywords: ['recursive'] }),
  dict2items: f(['key_name', 'value_name'], 0, (v, [k, val], fail) => {
    if (!isMap(v)) return fail(`dict2items needs a map, got ${typeName(v)}`);
    return Object.entries(v).map(([key, value]) => ({ [typeof k === 'string' ? k : 'key']: key, [typeof val === 'string' ? val : 'value']: value }));
  }),
  items2dict: f(['key_name', 'value_name'], 0, (v, [k, val], fail) =>
    Object.fromEntries(list(v, 'items2dict', fail).map((x) => [toText(attr(x, typeof k === 'string' ? k : 'key', fail)), attr(x, typeof val === 'string' ? val : 'value', fail)]))),
  map: f(['filter'], 0, (v, args, fail, apply, kw) => {
    const [first, ...rest] = args;
    const items = list(v, 'map', fail);
    if (typeof kw.attribute === 'string') {
      const a = kw.attribute;
      return items.map((x) => ('default' in kw ? (attrOrUndefined(x, a) ?? kw.default) : attr(x, a, fail)));
    }
    if (first === undefined) return fail("map needs a filter name or attribute='name'");
    const out = items.map((x) => apply(String(first), x, rest));
    return out.some(isUnknown) ? unknownOf(...out) : out;
  }, { varargs: true, keywords: ['attribute', 'default'] }),
  select: f(['test'], 0, (v, [t, ...a], fail) => list(v, 'select', fail).filter((x) => (t === undefined ? truthy(x) : runTest(t, x, a, fail))), { varargs: true }),
  reject: f(['test'], 0, (v, [t, ...a], fail) => list(v, 'reject', fail).filter((x) => !(t === undefined ? truthy(x) : runTest(t, x, a, fail))), { varargs: true }),
  selectattr: f(['attribute', 'test'], 1, (v, [at, t, ...a], fail) =>
    list(v, 'selectattr', fail).filter((x) => {
      const val = attrOrUndefined(x, str(at, 'selectattr', fail));
      return t === undefined ? truthy(val) : runTest(t, val, a, fail);
    }), { varargs: true }),
  rejectattr: f(['attribute', 'test'], 1, (v, [at, t, ...a], fail) =>
    list(v, 'rejectattr', fail).filter((x) => {
      const val = attrOrUndefined(x, str(at, 'rejectattr', fail));
      return !(t === undefined ? truthy(val) : runTest(t, val, a, fail));
    }), { varargs: true }),
  extract: f(['container', 'morekeys'], 1, (v, [c, more], fail) => {
    let out: unknown = Array.isArray(c) && typeof v === 'number' ? c[v] : isMap(c) ? c[String(v)] : fail(`extract needs a map or list, got ${typeName(c)}`);
    for (const k of more === undefined ? [] : Array.isArray(more) ? more : [more]) {
      out = resolveFact(out);
      if (isUnknown(out)) return out;
      out = isMap(out) ? out[String(k)] : Array.isArray(out) && typeof k === 'number' ? out[k] : undefined;
    }
    out = resolveFact(out);
    return out === undefined ? fail(`extract: ${toText(v)} has no ${toText(more ?? '')}`) : out;
  }),
  ipaddr: f(['query'], 0, (v, [q], fail) => ipaddr(v, q === undefined ? '' : String(q), fail)),
};
FILTERS.d = FILTERS.default;
FILTERS.count = FILTERS.length;
FILTERS.e = FILTERS.escape = f([], 0, (v) => toText(v));

/** Filter names as written: NAME, ansible.builtin.NAME, ansible.utils.ipaddr, ansible.netcommon.ipaddr. */
export function filterDef(name: string): FilterDef | undefined {
  const short = name.replace(/^ansible\.builtin\./, '').replace(/^ansible\.(utils|netcommon)\.(?=ipaddr$)/, '');
  return Object.hasOwn(FILTERS, short) ? FILTERS[short] : undefined;
}

export function filterNames(): string[] {
  return Object.keys(FILTERS).sort();
}

/** Positional and keyword arguments in parameter order (and the keyword-only ones); or an error message. */
export function bindArgs(name: string, def: FilterDef, positional: unknown[], keywords: Record<string, unknown>): { args: unknown[]; kw: Record<string, unknown> } | string {
  if (!def.varargs && positional.length > def.params.length) {
    return `filter ${name} takes at most ${def.params.length} argument(s) (${def.params.join(', ') || 'none'}), got ${positional.length}`;
  }
  const out = [...positional];
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(keywords)) {
    const i = def.params.indexOf(k);
    if (i < 0 && def.keywords?.includes(k)) {
      kw[k] = v;
      continue;
    }
    if (i < 0) return `filter ${name} has no argument '${k}' (it takes ${[...def.params, ...(def.keywords ?? [])].join(', ') || 'none'})`;
    if (i < positional.length) return `filter ${name}: argument '${k}' given twice`;
    while (out.length < i) out.push(undefined);
    out[i] = v;
  }
  const given = out.filter((x, i) => i < def.required && x !== undefined).length;
  if (given < def.required) return `filter ${name} needs ${def.required} argument(s) (${def.params.slice(0, def.required).join(', ')}), got ${given}`;
  return { args: out, kw };
}
