/**
 * The one redactor: every string that leaves the engine (human output, events, diffs, error
 * messages, -v logs) passes through it. Values of variables named in any `secret_vars` list and the
 * become password are replaced by ********. Values shorter than 3 characters are left alone.
 */
import type { FileDiff, Vars } from '../modules/types.js';

export const MASK = '********';

/** Shorter values are not masked: masking "1" or "on" everywhere would garble every line. */
const MIN_SECRET_LENGTH = 3;

export class Redactor {
  private secrets: string[] = [];

  /** Remember a secret value (strings and numbers; lists and maps by their leaves). */
  add(value: unknown): void {
    if (typeof value === 'string') {
      if (value.length < MIN_SECRET_LENGTH || this.secrets.includes(value)) return;
      this.secrets.push(value);
      // Longest first, so a secret containing another is masked whole.
      this.secrets.sort((a, b) => b.length - a.length);
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.add(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  /** Remember the values of the secret names found in `vars` (the names come from secret_vars). */
  addFromVars(vars: Vars, names: Iterable<string>): void {
    for (const name of names) if (name in vars) this.add(vars[name]);
  }

  get size(): number {
    return this.secrets.length;
  }

  /** Replace every secret in a string. */
  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }

  /** A deep copy with every string (and object key) redacted. */
  value<T>(v: T): T {
    return this.walk(v) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.walk(x);
      return out;
    }
    return v;
  }
}

/** Names listed in `secret_vars` of one scope (a list of names, or a single name). */
export function secretNames(vars: Vars | undefined): string[] {
  const list = vars?.secret_vars;
  if (typeof list === 'string') return [list];
  if (Array.isArray(list)) return list.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Redact an error's message in place (and each of several input errors'); returns it. */
export function redactError<T>(err: T, redactor: Redactor): T {
  if (err instanceof Error) {
    err.message = redactor.text(err.message);
    if (err.stack) err.stack = redactor.text(err.stack);
    const inner = (err as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const e of inner) redactError(e, redactor);
  }
  return err;
}

/**
 * A file diff whose new content holds secrets, with the same places masked in the old content: when
 * a secret is rotated, the old value (no longer a known secret) sits where the new one goes. An old
 * line with the shape of a new secret-bearing line ("password ********") is shown as that shape.
 */
export function maskReplacedSecrets(diff: FileDiff, redactor: Redactor): FileDiff {
  const shapes = diff.after
    .split('\n')
    .map((line) => redactor.text(line))
    .filter((line) => line.includes(MASK))
    .map((masked) => ({ masked, re: new RegExp(`^${masked.split(MASK).map(escapeRegExp).join('[^]+?')}$`) }));
  if (shapes.length === 0) return diff;
  const before = diff.before
    .split('\n')
    .map((line) => shapes.find((s) => s.re.test(line))?.masked ?? line)
    .join('\n');
  return { ...diff, before };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
