/**
 * A value that is known to exist but not known yet: offline (validate/render), or in --check a result
 * that only the real run would produce (a command's stdout). Expressions over it evaluate to an
 * Unknown that remembers what it depends on ("r.stdout"), so a task can say what it would do and
 * why it cannot say more, instead of failing.
 */
export class Unknown {
  constructor(readonly deps: readonly string[]) {}
}

/** An unknown with no named dependency (offline walks). */
export const UNKNOWN = new Unknown([]);

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

/** One unknown standing for all the unknowns among values (their dependencies merged). */
export function unknownOf(...values: unknown[]): Unknown {
  const deps = new Set<string>();
  for (const v of values) if (isUnknown(v)) for (const d of v.deps) deps.add(d);
  return deps.size === 0 ? UNKNOWN : new Unknown([...deps]);
}

const PARTIAL = Symbol('lbrun.partial');

/**
 * A registered result of a task that would change but did not run (--check): its keys are what
 * the plan knows (changed, dest, ...); any other key reads as an Unknown named `<where>.<key>`.
 */
export function partialResult(known: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(known, PARTIAL, { value: true, enumerable: false });
  return known;
}

export function isPartial(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[PARTIAL] === true;
}

/**
 * Thrown where a value must be concrete (a template file's text, a module's arguments) but depends
 * on unknowns; the engine reports the task as what it would do, naming deps.
 */
export class UnknownValueError extends Error {
  constructor(readonly deps: readonly string[]) {
    super(`depends on ${deps.join(', ') || 'a value'} (known only after a real run)`);
    this.name = 'UnknownValueError';
  }
}

/** "r.stdout, r.rc" for messages. */
export function depsText(deps: readonly string[]): string {
  return deps.length === 0 ? 'values known only after a real run' : deps.join(', ');
}
