/**
 * Shell patterns (Ansible reads host patterns and --start-at-task with fnmatch) as anchored
 * RegExps: `*` any run of characters, `?` one character, `[...]` a class (`[!...]` negated, ranges
 * like `1-3`); every other character, regex metacharacters included, stands for itself, and so does
 * a `[` that is never closed. Case counts.
 */

/** Whether a name is meant as a pattern (it has `*`, `?` or `[`). */
export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** A pattern that is not a valid glob: the reason and what is expected instead. */
export class GlobError extends Error {
  override name = 'GlobError';
  constructor(
    message: string,
    readonly expected: string,
  ) {
    super(message);
  }
}

export interface GlobOptions {
  /**
   * Host patterns: a `]` right after `[` closes an empty class, and an empty class or a reversed
   * range (`[2-1]`) is a GlobError. Otherwise that `]` is a member of the class, as in fnmatch
   * (`[]a]` is `]` or `a`, `[!]]` anything but `]`).
   */
  strict?: boolean;
  /** `*`, `?` and classes match line breaks too (task names may span lines). */
  dotAll?: boolean;
}

/** The glob as a RegExp matching whole strings; throws GlobError when it is not a valid glob. */
export function globToRegExp(glob: string, opts: GlobOptions = {}): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      // fnmatch: a `]` first in the class (after `!`) is a member; strict: it closes the class
      const end = glob.indexOf(']', opts.strict ? i + 1 : i + (glob[i + 1] === '!' ? 3 : 2));
      if (end < 0) re += '\\[';
      else {
        re += classSource(glob.slice(i + 1, end), opts.strict === true);
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, opts.dotAll ? 's' : '');
  } catch (err) {
    throw new GlobError(`invalid glob (${(err as Error).message})`, 'a glob with *, ? and [a-z] classes');
  }
}

/** A class's body (between `[` and `]`) as a RegExp class: `!` negates; `\`, `]` and a `^` not first are literal. */
function classSource(body: string, strict: boolean): string {
  if (strict) {
    for (const [, from, to] of body.replace(/^!/, '').matchAll(/(.)-(.)/g)) {
      if (from > to) throw new GlobError(`the range [${from}-${to}] is reversed`, `a range from low to high, like [${to}-${from}]`);
    }
    if (body === '' || body === '!') throw new GlobError('empty character class []', 'characters or a range inside [ ], like lb-0[1-3]');
  }
  return '[' + body.replace(/^!/, '^').replace(/[\\\]]/g, '\\$&').replace(/(?!^)\^/g, '\\^') + ']';
}
