/**
 * Rendering of `{{ expr }}` in task arguments and variable values (docs/file-formats.md). Strict: an
 * undefined name is an InputError. A string that is exactly one `{{ expr }}` keeps the value's type.
 * Variable values that contain `{{ }}` are rendered when they are used (lazily, like Ansible).
 */
import { InputError, sourceWithin, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { valueSource } from '../load/value-sources.js';
import { evaluateWith, parseExpression, toText } from './expr.js';
import { Unknown, isPartial, isUnknown, unknownOf } from './unknown.js';

const MAX_DEPTH = 30;

/** Render every string inside value (deeply). Map keys are kept as written. */
export function renderValue(value: unknown, vars: Vars, source: Source): unknown {
  return renderDeep(value, vars, source, []);
}

/** Render a string: each `{{ expr }}` replaced by its value as text. */
export function renderString(text: string, vars: Vars, source: Source): string {
  const out = renderText(text, vars, source, [], false);
  return isUnknown(out) ? text : (out as string);
}

/** Does the value contain `{{` anywhere (strings, lists, maps)? */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

/** The `{{ expr }}` expressions inside a value (strings, lists, maps), parsed; unparsable ones are left out. */
export function templateExpressions(value: unknown): string[] {
  const out: string[] = [];
  const todo: unknown[] = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === 'string') {
      if (!v.includes('{{')) continue;
      try {
        for (const p of split(v, { file: '' })) if (p.expr !== undefined) out.push(p.expr);
      } catch {
        // reported where the value is rendered
      }
    } else if (Array.isArray(v)) todo.push(...v);
    else if (v !== null && typeof v === 'object') todo.push(...Object.values(v));
  }
  return out;
}

function renderDeep(value: unknown, vars: Vars, source: Source, resolving: string[]): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renderText(value, vars, source, resolving, true) : value;
  if (Array.isArray(value)) {
    const out = value.map((v) => renderDeep(v, vars, source, resolving));
    return out.some(isUnknown) ? unknownOf(...out) : out;
  }
  if (value !== null && typeof value === 'object') {
    if (isUnknown(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, vars, source, resolving);
    return Object.values(out).some(isUnknown) ? unknownOf(...Object.values(out)) : out;
  }
  return value;
}

interface Piece {
  literal?: string;
  expr?: string;
}

const splitCache = new Map<string, Piece[]>();

/** Split "a {{ x }} b" into literal and expression pieces. Unclosed `{{` -> InputError. */
function split(text: string, source: Source): Piece[] {
  const cached = splitCache.get(text);
  if (cached) return cached;
  const pieces: Piece[] = [];
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    if (open < 0) {
      pieces.push({ literal: text.slice(pos) });
      break;
    }
    if (open > pos) pieces.push({ literal: text.slice(pos, open) });
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new InputError(`unclosed {{ in ${JSON.stringify(text)}`, sourceWithin(source, text, open), { expected: '{{ expression }}' });
    const expr = text.slice(open + 2, close);
    parseExpression(expr, source);
    pieces.push({ expr });
    pos = close + 2;
  }
  splitCache.set(text, pieces);
  return pieces;
}

function renderText(text: string, vars: Vars, source: Source, resolving: string[], keepType: boolean): unknown {
  const pieces = split(text, source);
  if (keepType && pieces.length === 1 && pieces[0].expr !== undefined) {
    return evaluateWith(resolveNested, pieces[0].expr, vars, source, resolving);
  }
  let out = '';
  const unknowns: Unknown[] = [];
  for (const p of pieces) {
    if (p.literal !== undefined) {
      out += p.literal;
      continue;
    }
    const v = evaluateWith(resolveNested, p.expr as string, vars, source, resolving);
    // a result that did not run (--check) has no text yet
    if (isPartial(v)) unknowns.push(new Unknown([(p.expr as string).trim()]));
    else if (isUnknown(v)) unknowns.push(v);
    else out += toText(v);
  }
  return unknowns.length > 0 ? unknownOf(...unknowns) : out;
}

/**
 * A variable's value as used: rendered if it holds `{{ }}` (lazy templating), with a cycle check.
 * Called by the expression evaluator for every name it looks up.
 */
export function resolveNested(value: unknown, name: string, vars: Vars, source: Source, resolving: string[]): unknown {
  if (!hasTemplate(value)) return value;
  if (resolving.includes(name) || resolving.length > MAX_DEPTH) {
    throw new InputError(`variable '${name}' refers to itself: ${[...resolving, name].join(' -> ')}`, source);
  }
  // an error inside the value is blamed where the value is written (a role default, group_vars)
  return renderDeep(value, vars, valueSource(name, value) ?? source, [...resolving, name]);
}
