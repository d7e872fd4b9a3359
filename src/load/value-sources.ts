/**
 * Where each templated variable value was written: a value holding `{{ }}` is rendered where it is
 * used (lazily), so an error inside it (an undefined name) is blamed on the line that defines it,
 * not on the task that uses it. Keyed by variable name and the value's text.
 */
import type { Source } from '../errors.js';

const sources = new Map<string, Map<string, () => Source>>();

/** Record where `name: value` is written (the first place wins). */
export function recordValueSource(name: string, value: string, source: () => Source): void {
  let byValue = sources.get(name);
  if (!byValue) sources.set(name, (byValue = new Map()));
  if (!byValue.has(value)) byValue.set(value, source);
}

/** Where the variable `name` with this value was written, if a loaded file holds it. */
export function valueSource(name: string, value: unknown): Source | undefined {
  return typeof value === 'string' ? sources.get(name)?.get(value)?.() : undefined;
}
