/**
 * File modes as users write them: "0644", "644", "0o644", "u=rw,g=r,o=r" (symbolic, absolute only),
 * or a YAML number whose digits are the octal digits (644 or 0644 unquoted). Quote modes in YAML.
 */
export function parseMode(mode: string | number): number {
  const text = typeof mode === 'number' ? String(mode) : mode.trim();
  if (/^(0o)?[0-7]{1,4}$/.test(text)) return parseInt(text.replace(/^0o/, ''), 8);
  if (/^([ugoa]+=[rwxXst]*)(,[ugoa]+=[rwxXst]*)*$/.test(text)) {
    let out = 0;
    for (const clause of text.split(',')) {
      const [who, perms] = clause.split('=') as [string, string];
      const bits = (perms.includes('r') ? 4 : 0) | (perms.includes('w') ? 2 : 0) | (perms.includes('x') ? 1 : 0);
      const targets = who.includes('a') ? 'ugo' : who;
      if (targets.includes('u')) out |= bits << 6;
      if (targets.includes('g')) out |= bits << 3;
      if (targets.includes('o')) out |= bits;
    }
    return out;
  }
  throw new Error(`invalid file mode ${JSON.stringify(mode)}; expected octal like "0644" or symbolic like "u=rw,g=r,o=r"`);
}

/** "0644" */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
