/**
 * Shared by the end-to-end files: run site.yaml on the lab through the CLI, and look at the lab
 * hosts (through the lab's own helpers: commands run inside each host, no SSH needed).
 */
import { ensureLab, labExec, vipHolder } from '../lab/helpers.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { runVipClient } from '../support/vip-client.js';

export const LAB_HOSTS = ['lb-01', 'lb-02', 'lb-03'];
export const VIP = '10.213.0.210';
/** The VRRP password every e2e run uses (the inventory takes it from the environment). */
export const VRRP_PASS = 'e2e-Vr9q';

/** `lbrun playbooks/site.yaml -i inventory/lab.yaml --json ARGS`. */
export function site(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['playbooks/site.yaml', '-i', 'inventory/lab.yaml', '--json', ...args], {
    env: { LBRUN_VRRP_AUTH_PASS: VRRP_PASS, ...env },
    timeoutMs: 15 * 60_000,
  });
}

/** A readable summary of a failed run for assertion messages. */
export function explain(r: CliResult): string {
  const failed = r.events.filter((e) => e.event === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'));
  return `exit ${r.code}\n${failed.map((e) => `${e.host} ${e.task}: ${e.msg ?? ''} ${e.stderr ?? ''}`).join('\n')}\nstderr: ${r.stderr.slice(-2000)}`;
}

/** Run a command on a lab host; throws unless it exits 0. Returns stdout. */
export async function on(host: string, cmd: string): Promise<string> {
  const r = await labExec(host, cmd);
  if (r.code !== 0) throw new Error(`${host}: ${cmd}: exit ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Poll fn until it returns a value that passes `ok`; returns it and the time it took. */
export async function waitUntil<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, stepMs = 100): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (ok(value)) return { value, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Wait until `host` alone holds the VIP (two holders for a moment during a move count as not yet). */
export function waitForVip(host: string, timeoutMs = 30_000): Promise<{ value: string | null; ms: number }> {
  return waitUntil(() => vipHolder().catch((e: Error) => e.message), (h) => h === host, timeoutMs);
}

/** HAProxy's view of a backend server on a node: UP, DOWN, ... (from the local stats CSV). */
export async function serverStatus(host: string, server: string): Promise<string> {
  const csv = await on(host, "curl -fsS 'http://127.0.0.1:8404/stats;csv'");
  const header = csv.split('\n')[0].replace(/^# /, '').split(',');
  const col = header.indexOf('status');
  const row = csv.split('\n').find((l) => l.split(',')[1] === server);
  return row ? row.split(',')[col] : 'absent';
}

/**
 * Make sure the lab is up (ensureLab also holds the lab for this test process, so lab test files
 * run one after another) and converge it if asked.
 */
export async function labSession(opts: { converge: boolean }): Promise<void> {
  await ensureLab();
  if (opts.converge) {
    // set-up, not the subject: the keepalived gate is off, since a lab left with another VRRP
    // password (a bench run, a test's canary) can only change password node by node, which the
    // gate rightly sees as two VIP holders
    const r = await site(['-e', 'keepalived_gate=false']);
    if (r.code !== 0) throw new Error(`converging the lab failed: ${explain(r)}`);
    await waitForVip('lb-01');
    // a converge that moved the VIP back leaves the controller's neighbour entry and the old
    // holder's connections settling for a moment: wait for 20 answers in a row through the VIP
    for (let tries = 0; ; tries++) {
      const r = await runVipClient({ host: VIP, count: 20, intervalMs: 5 });
      if (r.failed === 0) break;
      if (tries >= 30) throw new Error(`the VIP does not answer steadily after the converge: ${r.failed} of 20 failed`);
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}
