/**
 * Every name of a template checked in every branch, whatever the data (validate and every run,
 * before any connection): a section over an empty list, behind a false flag or an inverted section
 * whose flag is true renders nothing today, and fails the day the data changes. Names inside a
 * section resolve against what its items are known to hold (the items of the list, or, for an empty
 * list or a false flag, the keys its items or maps have anywhere in the data), then the outer names,
 * as mustache looks them up. A value known only after a run (registered) leaves its section open.
 */
import { InputError } from '../errors.js';
import type { Vars } from '../types.js';
import { didYouMean } from '../load/did-you-mean.js';
import { hasTemplate } from './render.js';
import { parsedTemplate, position, type Token } from './template.js';
import { resolveFact } from './facts.js';
import { isUnknown } from './unknown.js';

/** What a section pushes: a known value, keys known from elsewhere in the data, or nothing knowable. */
type Scope = { kind: 'value'; value: unknown } | { kind: 'keys'; keys: ReadonlySet<string> } | { kind: 'open' };

/** A resolved name: missing, or found with its value (undefined: not known offline). */
type Found = { missing: true } | { missing: false; value?: unknown; known: boolean };

const MAX_SECTION_DEPTH = 100;

/**
 * Errors for names that no branch can resolve. `itemKeys(name)`: keys that the items (or map value)
 * of the variable `name` have anywhere in the data, when known.
 */
export function checkTemplateNames(path: string, vars: Vars, itemKeys: (name: string) => ReadonlySet<string> | undefined): InputError[] {
  const t = parsedTemplate(path);
  const errors: InputError[] = [];
  const seen = new Set<string>();
  const at = (offset: number) => position(path, t.lineStarts, offset);
  const walk = (tokens: Token[], stack: Scope[], depth: number): void => {
    for (const tok of tokens) {
      const [type, name, start] = tok;
      if (type !== 'name' && type !== '&' && type !== '#' && type !== '^') continue;
      if (depth > MAX_SECTION_DEPTH) {
        errors.push(new InputError(`template sections nested too deeply (more than ${MAX_SECTION_DEPTH})`, at(start)));
        return;
      }
      const found = resolve(name, stack);
      if (found.missing) {
        const first = name.split('.')[0];
        const key = `${name}@${start}`;
        if (!seen.has(key)) {
          seen.add(key);
          const blind = stack.some((s) => s.kind === 'keys' || (s.kind === 'value' && s.value === undefined));
          const inside = blind ? ' (in a section that renders nothing with this data: its name must exist for the day it does)' : '';
          const hint = Object.hasOwn(vars, first) ? '' : didYouMean(first, [...Object.keys(vars), ...stack.flatMap(keysOf)]);
          errors.push(new InputError(`undefined variable '${name}' in template${hint}${inside}`, at(start), { expected: `'${name}' defined (give it a default: false, [] or "")` }));
        }
      }
      if (type === '#') walk(tok[4] ?? [], [...stack, sectionScope(name, found, itemKeys)], depth + 1);
      if (type === '^') walk(tok[4] ?? [], stack, depth + 1);
    }
  };
  walk(t.tokens, [{ kind: 'value', value: vars }], 0);
  return errors;
}

function keysOf(s: Scope): string[] {
  if (s.kind === 'keys') return [...s.keys];
  if (s.kind === 'value' && isMap(s.value)) return Object.keys(s.value);
  return [];
}

/** mustache's lookup: the innermost scope that has the first segment, then the rest inside it. */
function resolve(name: string, stack: Scope[]): Found {
  if (name === '.') {
    const top = stack[stack.length - 1];
    return top.kind === 'value' ? { missing: false, value: top.value, known: true } : { missing: false, known: false };
  }
  const [first, ...rest] = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i];
    if (s.kind === 'open') return { missing: false, known: false };
    if (s.kind === 'keys') {
      if (s.keys.has(first)) return { missing: false, known: false };
      continue;
    }
    if (!isMap(s.value) && !Array.isArray(s.value)) continue;
    if (!Object.hasOwn(s.value, first)) continue;
    // a fact not read yet: offline it is unknown (facts are gathered at run time)
    let value: unknown = resolveFact((s.value as Record<string, unknown>)[first]);
    for (const seg of rest) {
      if (isUnknown(value) || hasTemplate(value)) return { missing: false, known: false };
      if (value !== null && typeof value === 'object' && Object.hasOwn(value, seg)) value = resolveFact((value as Record<string, unknown>)[seg]);
      else return { missing: true };
    }
    if (isUnknown(value) || hasTemplate(value)) return { missing: false, known: false };
    return { missing: false, value, known: true };
  }
  return { missing: true };
}

/** What `{{#name}}` pushes for its children, for any data. */
function sectionScope(name: string, found: Found, itemKeys: (name: string) => ReadonlySet<string> | undefined): Scope {
  if (found.missing || !found.known) return { kind: 'open' };
  const v = found.value;
  const elsewhere = () => itemKeys(name.split('.').pop() as string);
  if (Array.isArray(v)) {
    const maps = v.filter(isMap);
    if (maps.length > 0) return { kind: 'value', value: Object.assign({}, ...maps) as Vars };
    if (v.length > 0) return { kind: 'value', value: v[0] };
    // an empty list: its items' keys as seen anywhere in the data, else only the outer names
    return { kind: 'keys', keys: elsewhere() ?? new Set() };
  }
  if (isMap(v)) return { kind: 'value', value: v };
  // a flag: true renders the children in the same context; false: as if it were true, or a map
  // of the keys seen for this name elsewhere
  const keys = elsewhere();
  return keys ? { kind: 'keys', keys } : { kind: 'value', value: undefined };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);
}
