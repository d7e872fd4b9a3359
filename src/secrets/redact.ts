/**
 * The one redactor. Secrets are marked where they enter (secret_vars, the become password, a
 * registered result whose name is secret, any value an expression computed from a secret: see
 * engine/secrets.ts) and every byte lbrun writes to stdout or stderr passes through it (report/sink.ts).
 *
 * A secret is masked as a whole value, line by line (a key or certificate shows line by line in a
 * diff or a command's output), and in the escaped forms lbrun's outputs produce: JSON (once and
 * twice escaped: a map printed as JSON inside a JSON event), YAML single/double quoted, shell-quoted
 * (connection/quote.ts). A text cut short with "..." never ends in the beginning of a secret.
 * Values (and lines) shorter than MIN_SECRET_LENGTH characters, or only blanks, are not masked.
 */
import { quote } from '../connection/quote.js';
import type { FileDiff, Vars } from '../types.js';

export const MASK = '********';

/** Shorter values are not masked: masking "1" or "on" everywhere would garble every line. */
export const MIN_SECRET_LENGTH = 3;

/** The marker of a text cut short (default task names); a secret's beginning before it is masked. */
const ELLIPSIS = '...';

/** Keys of a registered result that lbrun writes itself (msg: "non-zero return code" and the like). */
const RESULT_KEYS = new Set(['changed', 'failed', 'skipped', 'rc', 'cmd', 'msg', 'item', 'ansible_loop_var', 'dest', 'path', 'checksum']);

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Every masked form (value, lines, escaped forms), longest first; undefined = to rebuild. */
  private forms?: string[];
  private pattern?: RegExp;

  /** Remember a secret value (strings and numbers; lists and maps by their leaves). */
  add(value: unknown): void {
    if (typeof value === 'string') {
      if (!maskable(value) || this.secrets.has(value)) return;
      this.secrets.add(value);
      this.forms = undefined;
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.add(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  /** Remember a registered result's values (not the keys lbrun fills itself, like rc and cmd). */
  addResult(result: unknown): void {
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return this.add(result);
    for (const [k, v] of Object.entries(result)) if (!RESULT_KEYS.has(k)) this.add(v);
  }

  /** Remember the values of the secret names found in `vars` (the names come from secret_vars). */
  addFromVars(vars: Vars, names: Iterable<string>): void {
    for (const name of names) if (name in vars) this.add(vars[name]);
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Does the value (a string, or any leaf of a list or map) hold a secret? */
  holdsSecret(v: unknown): boolean {
    if (this.secrets.size === 0) return false;
    if (typeof v === 'string') {
      if (v.length < MIN_SECRET_LENGTH) return false;
      for (const s of this.secrets) if (v.includes(s)) return true;
      return false;
    }
    if (typeof v === 'number') return this.holdsSecret(String(v));
    if (Array.isArray(v)) return v.some((x) => this.holdsSecret(x));
    if (v !== null && typeof v === 'object') return Object.values(v).some((x) => this.holdsSecret(x));
    return false;
  }

  /** Replace every secret, each line of it and its escaped forms in a string. */
  text(s: string): string {
    if (this.secrets.size === 0 || s.length < MIN_SECRET_LENGTH) return s;
    const forms = this.build();
    let out = s.replace(this.pattern as RegExp, MASK);
    if (out.includes(ELLIPSIS)) out = maskCutBeginnings(out, forms);
    return out;
  }

  /** A deep copy with every string (and object key) redacted. */
  value<T>(v: T): T {
    return this.walk(v) as T;
  }

  private build(): string[] {
    if (this.forms) return this.forms;
    const forms = new Set<string>();
    for (const s of this.secrets) {
      for (const part of [s, ...s.split(/\r?\n|\r/)]) if (maskable(part)) for (const f of escapedForms(part)) forms.add(f);
    }
    this.forms = [...forms].filter(maskable).sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(this.forms.map(escapeRegExp).join('|'), 'g');
    return this.forms;
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

/** The process's redactor: the engine marks secrets in it, the output sink masks with it. */
export const redactor = new Redactor();

function maskable(s: string): boolean {
  return s.length >= MIN_SECRET_LENGTH && s.trim() !== '';
}

/** The forms a value takes in lbrun's outputs. */
function escapedForms(s: string): string[] {
  const json = JSON.stringify(s).slice(1, -1);
  const forms = [s, json, JSON.stringify(json).slice(1, -1), s.replace(/'/g, "''")];
  // JSON with non-ASCII escaped (\u00e9), as some serialisers write it
  forms.push(json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  if (!s.includes('\0')) forms.push(quote(s), s.replace(/'/g, `'\\''`));
  return forms;
}

/** "echo s3cr..." -> "echo ********...": a form's beginning right before the ellipsis. */
function maskCutBeginnings(text: string, forms: string[]): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(ELLIPSIS); at >= 0; at = text.indexOf(ELLIPSIS, at + ELLIPSIS.length)) {
    const before = text.slice(from, at);
    let cut = 0;
    for (const f of forms) {
      for (let n = Math.min(f.length - 1, before.length); n >= MIN_SECRET_LENGTH && n > cut; n--) {
        if (before.endsWith(f.slice(0, n))) {
          cut = n;
          break;
        }
      }
    }
    out += (cut > 0 ? before.slice(0, before.length - cut) + MASK : before) + ELLIPSIS;
    from = at + ELLIPSIS.length;
  }
  return out + text.slice(from);
}

/** Names listed in `secret_vars` of one scope (a list of names, or a single name). */
export function secretNames(vars: Vars | undefined): string[] {
  const list = vars?.secret_vars;
  if (typeof list === 'string') return [list];
  if (Array.isArray(list)) return list.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Redact an error's message in place (and each of several input errors'); returns it. */
export function redactError<T>(err: T, r: Redactor = redactor): T {
  if (err instanceof Error) {
    err.message = r.text(err.message);
    if (err.stack) err.stack = r.text(err.stack);
    const inner = (err as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const e of inner) redactError(e, r);
  }
  return err;
}

/**
 * A file diff whose new content holds secrets, with the same places masked in the old content: when
 * a secret is rotated, the old value (no longer a known secret) sits where the new one goes. An old
 * line (one the new content does not keep) with the shape of a new secret-bearing line ("password
 * ********", or a whole line of a key) is shown as that shape.
 */
export function maskReplacedSecrets(diff: FileDiff, r: Redactor = redactor): FileDiff {
  const shapes = diff.after
    .split('\n')
    .map((line) => r.text(line))
    .filter((line) => line.includes(MASK))
    .map((masked) => ({ masked, re: new RegExp(`^${masked.split(MASK).map(escapeRegExp).join('[^]+?')}$`) }));
  if (shapes.length === 0) return diff;
  const kept = new Set(diff.after.split('\n'));
  const before = diff.before
    .split('\n')
    .map((line) => (kept.has(line) ? line : (shapes.find((s) => s.re.test(line))?.masked ?? line)))
    .join('\n');
  return { ...diff, before };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
