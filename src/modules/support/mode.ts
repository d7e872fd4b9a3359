/**
 * File modes as Ansible understands them (module_utils/basic.py set_mode_if_different):
 * - an integer is the mode itself: YAML 1.1 `0644` arrives as 420 = 0o644; an unquoted `644` is the
 *   decimal 644 (= 0o1204), exactly as in Ansible, which is why Ansible's docs say to quote modes;
 * - a string is octal if it parses as octal ("0644", "644", "0o644", "1777");
 * - otherwise symbolic, chmod-style, relative to the path's current mode and type: comma-separated
 *   clauses WHO OP PERMS [OP PERMS...], WHO from u g o a (none = all, masked by the umask), OP one of
 *   + - =, PERMS from r w x X s t or one of u g o (copy those bits); X is x for a directory or for a
 *   path that already has some x bit.
 * A symbolic mode needs the path's current mode; a path that does not exist yet starts from what it
 * would be created with (0644 for a file, 0755 for a directory).
 */
export type Mode = string | number;

export interface ModeBase {
  /** The path's current permission bits (or those it is created with). */
  mode: number;
  directory: boolean;
}

const UMASK = 0o022;
const PERM_BITS = 0o7777;

/** Octal digits as Ansible's int(mode, 8) takes them (surrounding blanks, an optional 0o prefix). */
function octal(text: string): number | undefined {
  const m = /^\s*(?:0o)?([0-7]+)\s*$/i.exec(text);
  return m ? parseInt(m[1], 8) : undefined;
}

/** The mode is absolute (an integer or octal text): it does not depend on the path. */
export function absoluteMode(mode: Mode): number | undefined {
  return typeof mode === 'number' ? mode : octal(mode);
}

/** Throws on text that is neither octal nor valid symbolic; the message is the user's. */
export function checkMode(mode: Mode): void {
  resolveMode(mode, { mode: 0o644, directory: false });
}

export function resolveMode(mode: Mode, base: ModeBase): number {
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode > PERM_BITS) throw new Error(`invalid file mode ${mode}: only permission bits (at most 0o7777) are allowed`);
    return mode;
  }
  const abs = octal(mode);
  if (abs !== undefined) {
    if (abs > PERM_BITS) throw new Error(`invalid file mode ${JSON.stringify(mode)}: only permission bits (at most 07777) are allowed`);
    return abs;
  }
  return symbolic(mode, base);
}

function symbolic(text: string, base: ModeBase): number {
  let cur = base.mode & PERM_BITS;
  for (const clause of text.split(',')) {
    const m = /^(a|[ugo]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m) throw new Error(`invalid file mode ${JSON.stringify(text)}: bad symbolic clause ${JSON.stringify(clause)}; expected octal like "0644" or symbolic like "u=rwX,g=rX,o=" (who: u g o a; op: + - =; perms: r w x X s t or u g o)`);
    const useUmask = m[1] === '';
    const who = m[1] === '' || m[1] === 'a' ? 'ugo' : m[1];
    for (const [, op, perms] of m[2].matchAll(/([-+=])([rwxXstugo]*)/g)) {
      for (const u of who) cur = apply(u as 'u' | 'g' | 'o', op, bits(u as 'u' | 'g' | 'o', perms, cur, base.directory, useUmask), cur);
    }
  }
  return cur;
}

const SHIFT = { u: 6, g: 3, o: 0 } as const;

function bits(u: 'u' | 'g' | 'o', perms: string, cur: number, directory: boolean, useUmask: boolean): number {
  const keep = useUmask ? ~UMASK : PERM_BITS;
  const rwx = (b: number) => (b << SHIFT[u]) & keep;
  const hasX = (cur & 0o111) !== 0;
  let out = 0;
  for (const p of perms) {
    if (p === 'r') out |= rwx(4);
    else if (p === 'w') out |= rwx(2);
    else if (p === 'x') out |= rwx(1);
    else if (p === 'X') out |= directory || hasX ? 1 << SHIFT[u] : 0;
    else if (p === 's') out |= u === 'u' ? 0o4000 : u === 'g' ? 0o2000 : 0;
    else if (p === 't') out |= u === 'o' ? 0o1000 : 0;
    else out |= ((cur >> SHIFT[p as 'u' | 'g' | 'o']) & 7) << SHIFT[u];
  }
  return out;
}

function apply(u: 'u' | 'g' | 'o', op: string, value: number, cur: number): number {
  if (op === '+') return cur | value;
  if (op === '-') return cur & ~value;
  const mask = u === 'u' ? 0o4700 : u === 'g' ? 0o2070 : 0o1007;
  return (cur & ~mask & PERM_BITS) | value;
}

/** "0644" */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
