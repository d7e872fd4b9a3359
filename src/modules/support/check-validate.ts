/**
 * `validate:` in --check: the would-be file is written to a fresh private directory in the node's
 * temp dir (never beside the live file), checked with the same command (`%s` is its path, under
 * dest's own file name so validators that look at the name still work), and removed. A config the
 * node would refuse fails the dry run as it would fail the real one; the live file is never touched.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { quote } from '../../connection/quote.js';
import { TaskError } from '../../errors.js';
import type { ModuleContext } from '../types.js';
import { hostRun } from './host-run.js';

const VALIDATE_FAILED = 97;

export async function validateInCheck(ctx: ModuleContext, dest: string, content: string | Buffer, validate: string): Promise<void> {
  // chosen here, so the fallback below can remove it even if the script was cut off
  const dir = `"\${TMPDIR:-/tmp}"/lbrun-check-${randomBytes(6).toString('hex')}`;
  const script = [
    `d=${dir}`,
    `t="$d"/${quote(basename(dest))}`,
    `trap 'rm -rf -- "$d"' EXIT`,
    `trap 'rm -rf -- "$d"; exit 129' HUP INT TERM`,
    'umask 077',
    'mkdir -m 700 -- "$d" || exit 1',
    'cat > "$t" || exit 1',
    `v=$( { ${validate.replace(/%s/g, '"$t"')}\n} 2>&1 ) || { printf '%s\\n' "$v" >&2; exit ${VALIDATE_FAILED}; }`,
  ].join('\n');
  let done = false;
  try {
    const r = await hostRun(ctx, script, { stdin: content });
    done = true;
    if (r.rc === VALIDATE_FAILED) {
      throw new TaskError(`validation of ${dest} would fail on ${ctx.host} (${validate}); the file was left unchanged:\n${r.stderr.trim()}`, {
        rc: r.rc,
        stdout: r.stdout,
        stderr: r.stderr,
      });
    }
    if (r.rc !== 0) throw new TaskError(`checking ${dest} with validate failed on ${ctx.host} (rc ${r.rc}): ${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
  } finally {
    if (!done) await ctx.conn.run(`rm -rf -- ${dir}`, { become: ctx.become, becomeUser: ctx.becomeUser, afterBreak: true }).catch(() => {});
  }
}
