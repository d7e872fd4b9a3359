/**
 * The one error tree of lbrun. Every failure that reaches a user is an LbrunError; its exitCode is
 * what the CLI returns (docs/cli.md: 3 input, 2 task, 4 unreachable, 130 interrupted, 1 internal).
 */
import { columnAt } from './text/columns.js';

/** Where something is in a source file. line and column are 1-based. */
export interface Source {
  file: string;
  line?: number;
  column?: number;
  /** The text of the value found there, and where each of its characters is (a YAML scalar, a flag). */
  value?: SourceText;
}

/**
 * A value's text (held in a closure: never serialised with the source; it may be a secret) and the
 * file position of the character at a (UTF-16) index of it.
 */
export interface SourceText {
  indexOf(part: string): number;
  at(index: number): { line: number; column: number } | undefined;
}

/**
 * The source of a part of the value at `source`: of `part` (its first occurrence), and inside it of
 * `name` (a whole word outside string literals) or of the character at index `name`. `source`
 * itself when the value's text is unknown or lacks them.
 */
export function sourceWithin(source: Source, part: string, name?: string | number): Source {
  const v = source.value;
  if (!v) return source;
  const base = v.indexOf(part);
  if (base < 0) return source;
  let index = base;
  if (typeof name === 'number') index = base + Math.max(0, Math.min(name, part.length - 1));
  else if (name !== undefined) {
    const m = new RegExp(`(?<![\\w.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`).exec(stripStrings(part));
    if (m) index = base + m.index;
  }
  const pos = v.at(index);
  return pos ? { file: source.file, ...pos } : source;
}

/** `part` with the inside of its string literals blanked (a name is not looked for inside quotes). */
function stripStrings(part: string): string {
  return part.replace(/(["'])(?:\\.|(?!\1)[^\\])*\1/g, (m) => m[0] + ' '.repeat(m.length - 2) + m[m.length - 1]);
}

/**
 * A command-line source: `flag` as messages name it, line 1, the column counted in the option's
 * value (`text`, never printed: an -e value may be a secret).
 */
export function argumentSource(flag: string, text: string, index = 0): Source {
  const chars = (i: number) => columnAt(text, 0, i);
  return { file: flag, line: 1, column: chars(index), value: { indexOf: (part) => text.indexOf(part), at: (i) => ({ line: 1, column: chars(i) }) } };
}

/** The source at a character index of the value at `source` (source itself when unknown). */
export function sourceAtIndex(source: Source, index: number): Source {
  const pos = source.value?.at(index);
  return pos ? { file: source.file, ...pos } : source;
}

export class LbrunError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A location prefix "file:line:column" (omitting what is unknown). */
export function formatSource(src: Source): string {
  let out = src.file;
  if (src.line !== undefined) out += `:${src.line}`;
  if (src.line !== undefined && src.column !== undefined) out += `:${src.column}`;
  return out;
}

/**
 * Invalid input: a playbook, inventory, role, template, variable or argument that cannot run.
 * Raised before any host is contacted; exit code 3.
 */
export class InputError extends LbrunError {
  override readonly exitCode = 3;
  /** JSON-pointer-like path inside the document, e.g. "/0/tasks/2/template/dest" */
  readonly path?: string;
  /** What was expected there, in words a user can act on. */
  readonly expected?: string;
  constructor(
    readonly reason: string,
    readonly source: Source,
    extra: { path?: string; expected?: string; cause?: unknown } = {},
  ) {
    super(InputError.compose(reason, source, extra), { cause: extra.cause });
    this.path = extra.path;
    this.expected = extra.expected;
  }
  private static compose(reason: string, source: Source, extra: { path?: string; expected?: string }): string {
    let msg = `${formatSource(source)}: ${reason}`;
    if (extra.path) msg += ` (at ${extra.path})`;
    if (extra.expected) msg += `; expected ${extra.expected}`;
    return msg;
  }
}

/** Several input errors reported at once (exit 3). message lists them one per line. */
export class InputErrors extends LbrunError {
  override readonly exitCode = 3;
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
  /** Throw if the list is not empty: one InputError as itself, several as InputErrors. */
  static throwIfAny(errors: InputError[]): void {
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new InputErrors(errors);
  }
}

/**
 * The controller lacks a program lbrun runs (a Debian package not installed, or not on PATH);
 * exit 3, like bad input: nothing was touched. The message names the package and its install command.
 */
export class HostRequirementError extends LbrunError {
  override readonly exitCode = 3;
}

/** A host could not be reached or its connection broke (status "unreachable"; exit 4). */
export class ConnectError extends LbrunError {
  override readonly exitCode = 4;
  constructor(readonly host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The host's key is unknown or changed: the connection is refused (a kind of ConnectError). */
export class HostKeyError extends ConnectError {
  constructor(host: string, message: string, readonly fingerprint: string) {
    super(host, message);
  }
}

/** A task failed on a host (exit 2). Carries what the failing command said, if any. */
export class TaskError extends LbrunError {
  override readonly exitCode = 2;
  constructor(
    message: string,
    readonly details: { rc?: number; stdout?: string; stderr?: string; [key: string]: unknown } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A task ran out of its time (a kind of TaskError). */
export class TaskTimeoutError extends TaskError {}

/** The run was interrupted by SIGINT/SIGTERM (exit 130). */
export class InterruptedError extends LbrunError {
  override readonly exitCode = 130;
}

/** Exit code for any thrown value: LbrunError's own, 1 for anything else. */
export function exitCodeOf(err: unknown): number {
  return err instanceof LbrunError ? err.exitCode : 1;
}
