/**
 * One fact command made of named parts: each part's script runs in its own subshell after a marker
 * line, so a module reads everything its plan needs (a path, what it links to, its directory, the
 * accounts it names) in one round trip, and the parser gets each part's output back by name. A part
 * that prints file content must come last (content may hold anything).
 */
import { quote } from '../../connection/quote.js';
import type { ReadPrelude } from '../../connection/types.js';

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

/** A name the accounts prelude takes (any other is looked up by getent itself). */
const PLAIN_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Reads that check account names share one `getent passwd` and one `getent group` (ReadPrelude);
 * a shell function named getent then answers `getent passwd|group NAME` for a name found there with
 * getent's own line, and runs getent itself for anything else (a name not found, other options).
 */
export function accountsPrelude(owner: string | undefined, group: string | undefined): ReadPrelude | undefined {
  const items = [
    ...(owner !== undefined && !/^\d+$/.test(owner) && PLAIN_NAME.test(owner) ? [`passwd:${owner}`] : []),
    ...(group !== undefined && !/^\d+$/.test(group) && PLAIN_NAME.test(group) ? [`group:${group}`] : []),
  ];
  return items.length > 0 ? { kind: 'accounts', items, script: accountsPreludeScript } : undefined;
}

export function accountsPreludeScript(items: string[]): string {
  const names = (db: string) => items.filter((i) => i.startsWith(`${db}:`)).map((i) => quote(i.slice(db.length + 1)));
  const table = (db: string) => (names(db).length > 0 ? `"$lbrun_NL$(command getent ${db} ${names(db).join(' ')} 2>/dev/null)$lbrun_NL"` : '$lbrun_NL');
  return `lbrun_NL='
'
lbrun_passwd=${table('passwd')}
lbrun_group=${table('group')}
getent() {
  if [ $# -eq 2 ]; then
    case $1 in
      passwd) lbrun_t=$lbrun_passwd ;;
      group) lbrun_t=$lbrun_group ;;
      *) lbrun_t= ;;
    esac
    case $lbrun_t in
      *"$lbrun_NL$2:"*)
        lbrun_t=\${lbrun_t#*"$lbrun_NL$2:"}
        printf '%s:%s\n' "$2" "\${lbrun_t%%"$lbrun_NL"*}"; return 0 ;;
    esac
  fi
  command getent "$@"
}`;
}

/** The preludes a read shares, those it has. */
export function preludesOf(...preludes: Array<ReadPrelude | undefined>): ReadPrelude[] | undefined {
  const out = preludes.filter((p): p is ReadPrelude => p !== undefined);
  return out.length > 0 ? out : undefined;
}

export interface MissingAccounts {
  owner: boolean;
  group: boolean;
}

export function parseAccounts(text: string | undefined): MissingAccounts {
  const words = (text ?? '').split('\n');
  return { owner: words.includes('passwd'), group: words.includes('group') };
}
