/**
 * Everything a file module needs to know about a path, in one round trip: type, mode, owner, group,
 * size, sha256, link target, and (for --diff and line edits) the content of small text files.
 */
import { quote } from '../../connection/quote.js';
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
    'stat -c "%a %U %G %s %u %g %i %h" -- "$p"',
    // sha256sum's own line (its sum, then the name, escaped with a leading backslash when needed): no `cut`
    'if [ "$t" = file ]; then sha256sum -- "$p"; else echo -; fi',
    'if [ "$t" = link ]; then readlink -- "$p"; else echo; fi',
    withContent ? `if [ "$t" = file ] && [ "$(stat -c %s -- "$p")" -le ${MAX_CONTENT} ]; then echo ${MARK}; cat -- "$p"; fi` : '',
  ].join('\n');
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
