/**
 * Child processes for the benchmark: a timed run (wall time from spawn to exit, peak RSS from
 * /usr/bin/time's wait4 figure), and a plain run for set-up commands.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Process groups of the commands running now (ended by cleanup() when the bench is interrupted). */
const running = new Set();
/** Long-lived servers (scenario B's sshd), ended by cleanup() too. */
const servers = new Set();

/** A server child the bench stops itself; cleanup() stops it when the bench is interrupted. */
export function trackServer(child) {
  servers.add(child);
  child.once('exit', () => servers.delete(child));
}

export function cleanup() {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const child of servers) child.kill('SIGTERM');
}

/**
 * Run a command to its end. Returns { code, stdout, stderr, ms, rssKiB }. rssKiB (the peak resident
 * set of the command itself, not of its children) needs /usr/bin/time.
 * @param {string} cmd
 * @param {string[]} args
 * On timeout the command's whole process group is killed and timedOut is set.
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, rss?: boolean, timeoutMs?: number, input?: string }} [opts]
 */
export function timed(cmd, args, opts = {}) {
  const dir = opts.rss ? mkdtempSync(join(tmpdir(), 'lbrun-bench-time-')) : undefined;
  const rssFile = dir ? join(dir, 'rss') : undefined;
  const [file, argv] = rssFile ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // its own process group, so a timeout ends its children too (ansible's forks, ssh masters)
    const child = spawn(file, argv, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    running.add(child.pid);
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, opts.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child.pid);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      let rssKiB;
      if (rssFile) {
        const m = /(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8'));
        rssKiB = m ? Number(m[1]) : undefined;
        rmSync(dir, { recursive: true, force: true });
      }
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms,
        rssKiB,
        timedOut,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Run a set-up command; throw with its output when it fails. */
export async function must(cmd, args, opts = {}) {
  const r = await timed(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-30).join('\n')}`);
  }
  return r;
}
