/**
 * A file whose whole content lbrun manages (copy, template, lineinfile, sysctl): compare by sha256 on
 * the host; when it differs, upload to a hidden temp file beside dest (mode 0600), run `validate`
 * on it, set owner/group/mode, keep a backup if asked, then `mv -f` over dest — all in one round
 * trip. The temp file is removed on every failure (the script's trap, plus a separate command if
 * the script itself was cut off), so dest is never half-written and never invalid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, posix } from 'node:path';
import { quote } from '../../connection/quote.js';
import { TaskError } from '../../errors.js';
import { planInput, wording } from '../contract.js';
import type { ApplyResult, ModuleContext, Plan, PlanInput, PlanResult } from '../types.js';
import { attributeChanges, attributeCommands, checkAccounts, checkAccountsExist, resolveAttributes, type ResolvedAttributes, type WantedAttributes } from './attributes.js';
import { validateInCheck } from './check-validate.js';
import type { MissingAccounts } from './fact-sections.js';
import { contentDiff } from './file-diff.js';
import { fileFacts, type FileFacts } from './file-facts.js';
import { hostRun, mustRun } from './host-run.js';
import { plannedKey } from './planned.js';

export interface ManagedFile extends WantedAttributes {
  dest: string;
  content: string | Buffer;
  /** Command checking the temp file; `%s` is replaced by its quoted path. */
  validate?: string;
  backup?: boolean;
  /** Create missing parent directories (lineinfile's create); 'owned': and give them owner/group
   *  (not mode), as Ansible's copy does for a dest ending in "/". */
  makeParents?: boolean | 'owned';
  /** A dest that is a symlink is replaced by a new file (0644), not given its target's owner and mode
   *  (copy and template: Ansible's copy unlinks it first). */
  replaceLink?: boolean;
}

interface ManagedFileActions {
  write: boolean;
  content: string | Buffer;
  /** Attribute names to fix when the content is unchanged. */
  attrs: string[];
  /** owner/group/mode with the mode resolved for this file. */
  attributes: ResolvedAttributes;
}

const VALIDATE_FAILED = 97;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** What the pure decision hands to the write (Plan.data of the typed modules). */
export interface ManagedFileData extends ManagedFileActions {
  want: ManagedFile;
}

/**
 * The decision, pure: from the file's facts (with content when a diff is wanted) and the owner/group
 * names the host lacks. Worded as done ("create /x"); in --check an earlier task that writes this
 * very file (support/planned.ts) makes this one ok, as the real run will be.
 */
export function decideManagedFile(want: ManagedFile, facts: FileFacts, missing: MissingAccounts, input: Pick<PlanInput, 'check' | 'diff' | 'host' | 'pending' | 'planned'>): Plan<ManagedFileData> {
  if (!posix.isAbsolute(want.dest)) throw new TaskError(`dest must be an absolute path, got ${JSON.stringify(want.dest)}`);
  if (facts.type === 'directory' || facts.type === 'other') {
    throw new TaskError(`${want.dest} on ${input.host} is a ${facts.type === 'other' ? 'special file' : 'directory'}, not a file`);
  }
  checkAccounts(want, missing, input.pending.users, input.host);
  const sum = sha256(want.content);
  const fingerprint = `content ${JSON.stringify([sum, want.owner, want.group, want.mode])}`;
  const planned = input.check && input.planned(want.dest) === fingerprint;
  const write = !planned && (facts.type !== 'file' || facts.sha256 !== sum);
  const attrs = write || planned ? [] : attributeChanges(facts, want);
  const changed = write || attrs.length > 0;
  const result = { dest: want.dest, checksum: sum };
  if (!changed) return { changed, result };
  return {
    changed,
    change: write ? `${facts.type === 'absent' ? 'create' : 'update'} ${want.dest}` : `set ${attrs.join(', ')} of ${want.dest}`,
    diff: input.diff && write ? [contentDiff(want.dest, facts.content, want.content)] : undefined,
    result,
    pending: { paths: [want.dest] },
    planned: { [want.dest]: fingerprint },
    // a symbolic mode for a symlink the write replaces starts from the new file's 0644
    data: { write, attrs, content: want.content, attributes: resolveAttributes(want, want.replaceLink && facts.type === 'link' ? { type: 'absent' } : facts), want },
  };
}

/** `known`: facts the caller already read (with content), to save the round trip. */
export async function planManagedFile(ctx: ModuleContext, want: ManagedFile, known?: FileFacts): Promise<PlanResult> {
  if (!posix.isAbsolute(want.dest)) throw new TaskError(`dest must be an absolute path, got ${JSON.stringify(want.dest)}`);
  const facts = known ?? (await fileFacts(ctx, want.dest, ctx.diff));
  if (facts.type !== 'directory' && facts.type !== 'other') await checkAccountsExist(ctx, want);
  const p = decideManagedFile(want, facts, { owner: false, group: false }, planInput(ctx));
  // --check: would the node accept the new content? (the real write validates it the same way)
  if (p.data?.write && ctx.check && want.validate) await validateInCheck(ctx, want.dest, want.content, want.validate);
  for (const path of p.pending?.paths ?? []) ctx.state.pendingPaths.add(path);
  for (const [path, fingerprint] of Object.entries(p.planned ?? {})) ctx.state.cache.set(plannedKey(path), fingerprint);
  const actions: ManagedFileActions = p.data ?? { write: false, attrs: [], content: want.content, attributes: resolveAttributes(want, facts) };
  return { changed: p.changed, msg: wording(p, ctx.check), actions, diff: p.diff, result: p.result };
}

/** The typed modules' check-mode probe: the would-be file through `validate` on the node. */
export async function verifyManagedFile(ctx: ModuleContext, data: ManagedFileData | undefined): Promise<void> {
  if (data?.write && data.want.validate) await validateInCheck(ctx, data.want.dest, data.content, data.want.validate);
}

/** The typed modules' apply: the write (or the attributes) the decision planned. */
export function writeManagedFile(ctx: ModuleContext, plan: Plan<ManagedFileData>): Promise<ApplyResult> {
  const data = plan.data!;
  return applyManagedFile(ctx, data.want, { changed: true, msg: wording(plan, false), actions: data });
}

/** The content plan decided on (so apply does not render or edit again). */
export function plannedContent(plan: PlanResult): string | Buffer {
  return (plan.actions as ManagedFileActions).content;
}

export async function applyManagedFile(ctx: ModuleContext, want: ManagedFile, plan: PlanResult): Promise<ApplyResult> {
  const actions = plan.actions as ManagedFileActions;
  if (!actions.write) {
    await mustRun(ctx, attributeCommands(quote(want.dest), actions.attributes).join(' && '), `setting ${actions.attrs.join(', ')} of ${want.dest}`);
    return { changed: true, msg: plan.msg };
  }
  const tmp = posix.join(dirname(want.dest), `.${basename(want.dest)}.lbrun-${randomBytes(6).toString('hex')}`);
  const script = writeScript(want, actions.attributes, tmp);
  let done = false;
  try {
    const r = await hostRun(ctx, script, { stdin: want.content });
    if (r.rc === VALIDATE_FAILED) {
      throw new TaskError(`validation of ${want.dest} failed on ${ctx.host}; the file was left unchanged:\n${r.stderr.trim()}`, {
        rc: r.rc,
        stdout: r.stdout,
        stderr: r.stderr,
      });
    }
    if (r.rc !== 0) {
      throw new TaskError(`writing ${want.dest} failed on ${ctx.host} (rc ${r.rc}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
    }
    done = true;
    const backup = /^backup=(.*)$/m.exec(r.stdout)?.[1];
    return { changed: true, msg: plan.msg?.replace(/^would /, ''), result: backup ? { backup_file: backup } : undefined };
  } finally {
    // The script removes its temp file itself; this covers a script cut off by abort or timeout, or
    // killed with its connection (sshd's processes killed: the script had no chance to clean up).
    if (!done) {
      await ctx.conn
        .run(`rm -f -- ${quote(tmp)} ${quote(`${tmp}-backup`)}`, { become: ctx.become, becomeUser: ctx.becomeUser, afterBreak: true })
        .catch(() => {});
    }
  }
}

/** The owner/group of the directories the write script made (the tree under "$x", made just now). */
function ownNewDirs(want: ManagedFile): string[] {
  const cmds = attributeCommands('"$x"', { owner: want.owner, group: want.group }, true);
  return cmds.length ? [`[ -z "$x" ] || { ${cmds.join(' && ')}; } || exit 1`] : [];
}

/**
 * The write, as one script on the host. Nothing is ever half-written: the content goes to a temp
 * file and is checked against its sha256 (an upload cut short by a dropped connection is not
 * renamed); a backup is copied to a temp name and renamed; a write that fails after the backup
 * removes the backup again. Just before the rename the script writes to its stdout: when lbrun is
 * gone (killed, connection dropped) that write fails (SIGPIPE/EPIPE) and the script cleans up
 * instead of renaming (docs/reliability.md: what SIGKILL of lbrun can leave).
 */
function writeScript(want: ManagedFile, attributes: ResolvedAttributes, tmp: string): string {
  const lines = [
    `d=${quote(want.dest)}`,
    `t=${quote(tmp)}`,
    `bt=${quote(`${tmp}-backup`)}`,
    'k=; b=0',
    // the topmost directory mkdir -p is about to make (owned by the task's owner/group after it)
    ...(want.makeParents === 'owned' ? ['x=; m=$(dirname -- "$d"); while [ ! -d "$m" ]; do x=$m; m=$(dirname -- "$m"); done'] : []),
    `trap 'rm -f -- "$t" "$bt"; [ "$b" = 0 ] || rm -f -- "$k"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    ...(want.makeParents ? ['mkdir -p -- "$(dirname -- "$d")" || exit 1'] : []),
    ...(want.makeParents === 'owned' ? ownNewDirs(want) : []),
    'umask 077',
    'cat > "$t" || exit 1',
    `s=$(sha256sum < "$t") && [ "\${s%% *}" = ${sha256(want.content)} ] || { echo "the upload of $d was cut short" >&2; exit 1; }`,
  ];
  if (want.validate) {
    const check = want.validate.replace(/%s/g, '"$t"');
    lines.push(`v=$( { ${check}\n} 2>&1 ) || { printf '%s\\n' "$v" >&2; exit ${VALIDATE_FAILED}; }`);
  }
  const kept = want.replaceLink ? '[ -e "$d" ] && [ ! -L "$d" ]' : '[ -e "$d" ]';
  lines.push(`if ${kept}; then chown --reference="$d" -- "$t" && chmod --reference="$d" -- "$t" || exit 1; else chmod 0644 -- "$t" || exit 1; fi`);
  for (const cmd of attributeCommands('"$t"', attributes)) lines.push(`${cmd} || exit 1`);
  if (want.backup) {
    // b=1 once the backup is whole: the EXIT trap removes it unless the write succeeds
    lines.push('if [ -e "$d" ]; then k="$d.$(date +%Y%m%d%H%M%S)~"; cp -p -- "$d" "$bt" && mv -f -- "$bt" "$k" || exit 1; b=1; fi');
  }
  // lbrun still listening? (a write to a closed pipe fails, or ends the script through the PIPE trap)
  lines.push("printf 'commit\\n' || exit 1");
  lines.push('mv -f -- "$t" "$d" || exit 1');
  lines.push('b=0; [ -z "$k" ] || printf \'backup=%s\\n\' "$k"');
  lines.push('exit 0');
  return lines.join('\n');
}
