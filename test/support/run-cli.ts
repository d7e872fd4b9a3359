/**
 * Run the real CLI (`node bin/lbrun.js`, which imports dist/: build first) from the repository root
 * and capture its exit code, output and --json events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout lines that parse as JSON objects (the --json events). */
  events: Array<Record<string, unknown>>;
  durationMs: number;
}

/**
 * `opts.env` is laid over process.env; a key set to undefined is removed. `opts.cwd`: default
 * REPO_ROOT. `opts.onSpawn` sees the child (to watch its stdout or send it a signal). `opts.wrap`:
 * a command the CLI runs under (e.g. strace and its options), its arguments before node's.
 */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; onSpawn?: (child: ChildProcess) => void; wrap?: string[] } = {},
): Promise<CliResult> {
  const start = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, join(REPO_ROOT, 'bin/lbrun.js'), ...args];
    const [cmd, ...rest] = [...(opts.wrap ?? []), ...argv];
    const child = spawn(cmd, rest, {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    opts.onSpawn?.(child);
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const events: Array<Record<string, unknown>> = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a human line that happens to start with "{"
        }
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, events, durationMs: Date.now() - start });
    });
  });
}

/** The recap event's per-host counts (throws with the output if there is none). */
export function recap(r: CliResult): Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: number }> {
  const ev = r.events.find((e) => e.event === 'recap');
  if (!ev) throw new Error(`no recap event (exit ${r.code})\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`);
  return ev.hosts as Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: number }>;
}
