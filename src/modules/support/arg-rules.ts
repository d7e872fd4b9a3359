/**
 * Value rules of module arguments that JSON Schema cannot say (a mode's syntax, a regexp that
 * compiles, an absolute path). A module's schema names the rule of an argument with the annotation
 * `lbrunRule` (ajv ignores it); checkArgRules applies them. The same check runs at load time (values
 * without `{{ }}`), offline on rendered values (validate, and every run before any connection) and at
 * run time on rendered values: one mechanism.
 */
import { pyRegExp } from './line-edit.js';
import { checkMode } from './mode.js';

export type ArgRule = 'mode' | 'regexp' | 'absolute-path';

export interface ArgProblem {
  /** The top-level argument. */
  arg: string;
  /** The problem is the argument's name (not its value). */
  atKey?: boolean;
  reason: string;
  expected: string;
}

const RULES: Record<ArgRule, (v: unknown) => { reason: string; expected: string } | undefined> = {
  mode: (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined; // the schema's type says it
    try {
      checkMode(v);
      return undefined;
    } catch {
      return {
        reason: `invalid file mode ${JSON.stringify(v)}`,
        expected: 'an octal mode like "0644" (quoted) or a symbolic mode like "u=rwX,g=rX,o=" or "g+w"',
      };
    }
  },
  regexp: (v) => {
    if (typeof v !== 'string') return undefined;
    try {
      pyRegExp(v);
      return undefined;
    } catch (err) {
      return { reason: `invalid regular expression ${JSON.stringify(v)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, expected: 'a regular expression that compiles' };
    }
  },
  'absolute-path': (v) => {
    if (typeof v !== 'string' || v.startsWith('/')) return undefined;
    return { reason: `${JSON.stringify(v)} is not an absolute path`, expected: 'an absolute path on the host, starting with /' };
  },
};

/** Markers some regexp arguments take instead of a regexp (lineinfile: insertafter EOF, insertbefore BOF). */
const MARKERS = new Set(['EOF', 'BOF']);

/**
 * Problems of the arguments under the schema's `lbrunRule` annotations (top-level properties).
 * `skip(value)`: values not to judge yet (a `{{ template }}` before rendering).
 */
export function checkArgRules(schema: Record<string, unknown>, args: Record<string, unknown>, skip?: (v: unknown) => boolean): ArgProblem[] {
  const props = (schema.properties ?? {}) as Record<string, { lbrunRule?: ArgRule; lbrunMarkers?: boolean }>;
  const out: ArgProblem[] = [];
  const reserved = (schema.lbrunReservedNames ?? []) as string[];
  for (const arg of Object.keys(args)) {
    if (reserved.includes(arg)) {
      out.push({ arg, atKey: true, reason: `'${arg}' is a magic variable: lbrun sets it and nothing can override it`, expected: `a name other than ${reserved.join(', ')}` });
    }
  }
  for (const [arg, value] of Object.entries(args)) {
    const rule = props[arg]?.lbrunRule;
    if (!rule || value === undefined || value === null || skip?.(value)) continue;
    if (rule === 'regexp' && props[arg]?.lbrunMarkers && typeof value === 'string' && MARKERS.has(value)) continue;
    const problem = RULES[rule](value);
    if (problem) out.push({ arg, ...problem });
  }
  return out;
}
