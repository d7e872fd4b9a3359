/**
 * Every name of a template checked in every branch, whatever the data (validate and every run,
 * before any connection): a section over an empty list, behind a false flag or an inverted section
 * whose flag is true renders nothing today, and fails the day the data changes. Names inside a
 * section resolve against what its items are known to hold (the items of the list, or, for an empty
 * list or a false flag, the keys its items or maps have anywhere in the data), then the outer names,
 * as mustache looks them up. A value known only after a run (registered) leaves its section open.
 */
import { InputError } from '../errors.js';
import type { Source } from '../errors.js';
import type { Vars } from '../types.js';
import { didYouMean, suggest } from '../load/did-you-mean.js';
import { hasTemplate, renderValue } from './render.js';
import { parsedTemplate, position, type Token } from './template.js';
import { FACT_NAMES, resolveFact } from './facts.js';
import { UNKNOWN, isUnknown } from './unknown.js';

/** What a section pushes: a known value, keys known from elsewhere in the data, or nothing knowable. */
type Scope = { kind: 'value'; value: unknown } | { kind: 'keys'; keys: ReadonlySet<string> } | { kind: 'open' };

/**
 * A resolved name: missing, or found with its value (undefined: not known offline). `inOpen`: found
 * nowhere, but inside a section whose value is unknown offline, which may hold it.
 */
type Found = { missing: true } | { missing: false; value?: unknown; known: boolean; inOpen?: boolean };

/** Keys of the data: the keys of every map a variable holds anywhere, by variable (`of`) or at all (`has`). */
export interface DataKeys {
  of(name: string): ReadonlySet<string> | undefined;
  has(key: string): boolean;
}

/** Keys an unknown value may hold though no data names them: module results and gathered facts. */
const RUN_KEYS = new Set([
  ...['changed', 'failed', 'skipped', 'rc', 'cmd', 'msg', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'results'],
  ...['item', 'ansible_loop_var', 'dest', 'src', 'path', 'checksum', 'md5sum', 'state', 'mode', 'owner', 'group', 'uid', 'gid', 'size'],
  ...['start', 'end', 'delta', 'diff', 'backup_file', 'invocation', 'name', 'value', 'key'],
  ...['address', 'interface', 'alias', 'netmask', 'prefix', 'network', 'broadcast', 'gateway'],
  ...FACT_NAMES.map((n) => n.replace(/^ansible_/, '')),
]);

const MAX_SECTION_DEPTH = 100;

/**
 * Errors for names that no branch can resolve. A name inside a section unknown offline (a fact, a
 * result) may come from it, so it is refused only when it is plainly a misspelling: a key of no map in
 * the data nor of results and facts, and near a variable in scope.
 */
export function checkTemplateNames(path: string, vars: Vars, dataKeys: DataKeys): InputError[] {
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
      const found = resolve(name, stack, (v) => settle(v, vars, at(start)));
      if (!found.missing && found.inOpen) {
        const first = name.split('.')[0];
        const near = dataKeys.has(first) || RUN_KEYS.has(first) ? undefined : suggest(first, [...Object.keys(vars), ...stack.flatMap(keysOf)]);
        const key = `${name}@${start}`;
        if (near !== undefined && !seen.has(key)) {
          seen.add(key);
          errors.push(
            new InputError(`undefined variable '${name}' in template (did you mean '${near}'?): it is no variable, and no key of any map in the data`, at(start), {
              expected: `'${name}' defined, or the name of a variable`,
            }),
          );
        }
      } else if (found.missing) {
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
      if (type === '#') walk(tok[4] ?? [], [...stack, sectionScope(name, found, dataKeys)], depth + 1);
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

/**
 * A value that is itself a template, rendered when the data alone decides it (a default, an
 * expression over other vars or env); UNKNOWN when it needs facts or results, or fails (a run reports that).
 */
function settle(value: unknown, vars: Vars, source: Source): unknown {
  if (!hasTemplate(value)) return value;
  try {
    return renderValue(value, vars, source);
  } catch {
    return UNKNOWN;
  }
}

/** mustache's lookup: the innermost scope that has the first segment, then the rest inside it. */
function resolve(name: string, stack: Scope[], settled: (value: unknown) => unknown): Found {
  if (name === '.') {
    const top = stack[stack.length - 1];
    return top.kind === 'value' ? { missing: false, value: top.value, known: true } : { missing: false, known: false };
  }
  const [first, ...rest] = name.split('.');
  // past an open section, the name may come from it: found or not, its value is not known
  let open = false;
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i];
    if (s.kind === 'open') {
      open = true;
      continue;
    }
    if (s.kind === 'keys') {
      if (s.keys.has(first)) return { missing: false, known: false };
      continue;
    }
    if (!isMap(s.value) && !Array.isArray(s.value)) continue;
    if (!Object.hasOwn(s.value, first)) continue;
    // a fact not read yet: offline it is unknown (facts are gathered at run time)
    let value: unknown = settled(resolveFact((s.value as Record<string, unknown>)[first]));
    for (const seg of rest) {
      if (isUnknown(value)) return { missing: false, known: false };
      if (value !== null && typeof value === 'object' && Object.hasOwn(value, seg)) value = settled(resolveFact((value as Record<string, unknown>)[seg]));
      else return open ? { missing: false, known: false } : { missing: true };
    }
    if (isUnknown(value) || open) return { missing: false, known: false };
    return { missing: false, value, known: true };
  }
  return open ? { missing: false, known: false, inOpen: true } : { missing: true };
}

/** What `{{#name}}` pushes for its children, for any data. */
function sectionScope(name: string, found: Found, dataKeys: DataKeys): Scope {
  if (found.missing || !found.known) return { kind: 'open' };
  const v = found.value;
  const elsewhere = () => dataKeys.of(name.split('.').pop() as string);
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
