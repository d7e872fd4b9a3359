/**
 * Everything a file module needs to know about a path, in one round trip: type, mode, owner, group,
 * size, sha256, link target, and (for --diff and line edits) the content of small text files.
 */
import { quote } from '../../connection/quote.js';
import type { ReadPrelude } from '../../connection/types.js';
import type { ModuleContext } from '../types.js';
import { mustRun } from './host-run.js';

export interface FileFacts {
  path: string;
  type: 'absent' | 'file' | 'directory' | 'link' | 'other';
  mode?: number;
  owner?: string;
  group?: string;
  uid?: string;
  gid?: string;
  size?: number;
  sha256?: string;
  linkTarget?: string;
  inode?: string;
  /** Hard links to the file. */
  nlink?: number;
  /** Present when asked for and the file is a regular file of at most MAX_CONTENT bytes (as UTF-8 text). */
  content?: string;
}

export const MAX_CONTENT = 1024 * 1024;
const MARK = '--lbrun-content--';

/** The type of "$p" in $t, by the shell's own tests. */
const TYPE_OF_P = 'if [ -L "$p" ]; then t=link; elif [ -d "$p" ]; then t=directory; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; else t=absent; fi';

export function fileFactsScript(path: string, withContent: boolean): string {
  return [
    `p=${quote(path)}`,
    TYPE_OF_P,
    'echo "$t"',
    '[ "$t" = absent ] && exit 0',
    `stat -c "${STAT_FORMAT}" -- "$p"`,
    // sha256sum's own line (its sum, then the name, escaped with a leading backslash when needed): no `cut`
    'if [ "$t" = file ]; then sha256sum -- "$p"; else echo -; fi',
    'if [ "$t" = link ]; then readlink -- "$p"; else echo; fi',
    withContent ? `if [ "$t" = file ] && [ "$(stat -c %s -- "$p")" -le ${MAX_CONTENT} ]; then echo ${MARK}; cat -- "$p"; fi` : '',
  ].join('\n');
}

/** The stat format of fileFactsScript. */
const STAT_FORMAT = '%a %U %G %s %u %g %i %h';

/** A path the prelude takes: absolute, and no character that the shell or the lookup by name
 *  (after a space, at the end of a line) could take for something else. */
const PLAIN_PATH = /^\/[A-Za-z0-9._/@+:=,%-]*$/;

/**
 * File reads that share a round trip share their `stat` and `sha256sum` (ReadPrelude): one `stat`
 * of every path, one `sha256sum` of those that are regular files, then shell functions named `stat`
 * and `sha256sum` that print a path's line from those (byte for byte what the command prints for it
 * alone) and run the command itself for anything else. Undefined when no path is plain enough.
 */
export function filePrelude(paths: Array<string | undefined>): ReadPrelude | undefined {
  const items = paths.filter((p): p is string => p !== undefined && PLAIN_PATH.test(p));
  return items.length > 0 ? { kind: 'file facts', items, script: filePreludeScript } : undefined;
}

export function filePreludeScript(paths: string[]): string {
  const words = paths.map(quote).join(' ');
  return `lbrun_NL='
'
lbrun_stat="$lbrun_NL$(command stat -c '${STAT_FORMAT} %n' -- ${words} 2>/dev/null)$lbrun_NL"
set --
for lbrun_p in ${words}; do [ -L "$lbrun_p" ] || { [ -f "$lbrun_p" ] && set -- "$@" "$lbrun_p"; }; done
lbrun_sha=$lbrun_NL
[ $# -eq 0 ] || lbrun_sha="$lbrun_NL$(command sha256sum -- "$@" 2>/dev/null)$lbrun_NL"
set --
stat() {
  if [ $# -eq 4 ] && [ "$1" = -c ] && [ "$3" = -- ]; then
    case $lbrun_stat in
      *"$lbrun_NL"*" $4$lbrun_NL"*)
        lbrun_h=\${lbrun_stat%%" $4$lbrun_NL"*}
        lbrun_h=\${lbrun_h##*"$lbrun_NL"}
        case $2 in
          '${STAT_FORMAT}') printf '%s\n' "$lbrun_h"; return 0 ;;
          %s) lbrun_h=\${lbrun_h#* * * }; printf '%s\n' "\${lbrun_h%% *}"; return 0 ;;
        esac ;;
    esac
  fi
  command stat "$@"
}
sha256sum() {
  if [ $# -eq 2 ] && [ "$1" = -- ]; then
    case $lbrun_sha in
      *"$lbrun_NL"*"  $2$lbrun_NL"*)
        lbrun_h=\${lbrun_sha%%"  $2$lbrun_NL"*}
        printf '%s  %s\n' "\${lbrun_h##*"$lbrun_NL"}" "$2"; return 0 ;;
    esac
  fi
  command sha256sum "$@"
}`;
}

export function parseFileFacts(path: string, text: string): FileFacts {
  const markAt = text.indexOf(`\n${MARK}\n`);
  const head = (markAt >= 0 ? text.slice(0, markAt) : text).split('\n');
  const type = head[0] as FileFacts['type'];
  if (type === 'absent') return { path, type };
  const [mode, owner, group, size, uid, gid, inode, nlink] = head[1].split(' ');
  return {
    path,
    type,
    mode: parseInt(mode, 8),
    owner,
    group,
    uid,
    gid,
    size: Number(size),
    sha256: head[2] === '-' ? undefined : head[2].replace(/^\\/, '').slice(0, 64),
    linkTarget: type === 'link' ? head[3] : undefined,
    inode,
    nlink: Number(nlink),
    content: markAt >= 0 ? text.slice(markAt + MARK.length + 2) : undefined,
  };
}

export async function fileFacts(ctx: ModuleContext, path: string, withContent = false): Promise<FileFacts> {
  const r = await mustRun(ctx, fileFactsScript(path, withContent), `reading facts of ${path}`, { read: true });
  return parseFileFacts(path, r.stdout);
}

/** `readlink -m WORD` (WORD a shell word); for a directory the shell can enter, its own `cd -P`
 *  and `pwd -P`, which give the same without a process. */
export function resolvePathScript(word: string): string {
  return `CDPATH= cd -P -- ${word} 2>/dev/null && pwd -P || readlink -m -- ${word}`;
}

/** The script printing the resolved path (resolvePathScript), then its facts. `path` is quoted
 *  unless `shellWord` says it already is a shell word (e.g. "$s"). */
export function followedFactsScript(path: string, shellWord = false, withContent = false): string {
  const w = shellWord ? `"${path.replace(/^"|"$/g, '')}"` : quote(path);
  return `q=$(${resolvePathScript(w)}) && printf '%s\\n' "$q"\n${fileFactsScript('', withContent).replace(/^p=.*$/m, 'p=$q')}`;
}

/** Its output: the facts, with `path` the resolved path. */
export function parseFollowedFacts(stdout: string): FileFacts {
  const nl = stdout.indexOf('\n');
  return parseFileFacts(stdout.slice(0, nl), stdout.slice(nl + 1));
}

/** The resolved path (resolvePathScript), then only its type: for a module that needs to know
 *  whether a directory is there, not its attributes. No process for an existing directory, where
 *  followedFactsScript runs `stat`. */
export function followedTypeScript(path: string): string {
  return `q=$(${resolvePathScript(quote(path))}) && printf '%s\\n' "$q"\np=$q\n${TYPE_OF_P}\necho "$t"`;
}

/** Its output (or followedFactsScript's): the resolved path and its type. */
export function parseFollowedType(stdout: string): FileFacts {
  const [path, type] = stdout.split('\n', 2);
  return { path, type: type as FileFacts['type'] };
}

/** Facts of what a path names after following every symlink (`readlink -m`); the path's own facts
 *  when it is not a link. `path` of the result is the resolved path. */
export async function followedFacts(ctx: ModuleContext, path: string, withContent = false): Promise<FileFacts> {
  const r = await mustRun(ctx, followedFactsScript(path, false, withContent), `reading facts of ${path}`, { read: true });
  return parseFollowedFacts(r.stdout);
}
