/**
 * One fact command made of named parts: each part's script runs in its own subshell after a marker
 * line, so a module reads everything its plan needs (a path, what it links to, its directory, the
 * accounts it names) in one round trip, and the parser gets each part's output back by name. A part
 * that prints file content must come last (content may hold anything).
 */
import { quote } from '../../connection/quote.js';

const mark = (name: string) => `--lbrun-fact:${name}--`;

export function sectionsScript(parts: Array<[name: string, script: string]>): string {
  // the marker starts with its own newline, so a part's output is given back byte for byte
  return parts.map(([name, script]) => `printf '\\n%s\\n' '${mark(name)}'\n(\n${script}\n)`).join('\n');
}

/** Each named part's output; a part absent from the output is missing from the result. */
export function parseSections(stdout: string, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  const found: Array<[string, number, number]> = [];
  for (const n of names) {
    const m = `\n${mark(n)}\n`;
    const i = stdout.indexOf(m, at);
    if (i < 0) continue;
    found.push([n, i, i + m.length]);
    at = i + m.length;
  }
  found.forEach(([n, , start], k) => {
    out[n] = stdout.slice(start, k + 1 < found.length ? found[k + 1][1] : undefined);
  });
  return out;
}

/** Which of the owner / group names do not exist on the host ("passwd"/"group" per missing one). */
export function accountsScript(owner: string | undefined, group: string | undefined): string {
  const lines: string[] = [];
  if (owner !== undefined && !/^\d+$/.test(owner)) lines.push(`getent passwd ${quote(owner)} >/dev/null || echo passwd`);
  if (group !== undefined && !/^\d+$/.test(group)) lines.push(`getent group ${quote(group)} >/dev/null || echo group`);
  return [...lines, 'true'].join('\n');
}

export interface MissingAccounts {
  owner: boolean;
  group: boolean;
}

export function parseAccounts(text: string | undefined): MissingAccounts {
  const words = (text ?? '').split('\n');
  return { owner: words.includes('passwd'), group: words.includes('group') };
}
