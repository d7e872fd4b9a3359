/**
 * One timed run of each tool. lbrun runs as a user runs it (`node bin/lbrun.js PLAYBOOK --json`,
 * start-up included); its JSON events give the recap, per task per host durations and, in the recap
 * event, the connection counters (commands = SSH round trips, puts). ansible-playbook runs with the
 * environment of ansibleEnv(); its PLAY RECAP is parsed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { timed } from './proc.js';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const LBRUN = join(ROOT, 'bin', 'lbrun.js');

/**
 * @param {string} playbook
 * @param {string} inventory
 * @param {{ check?: boolean, forks?: number, rss?: boolean, extra?: string[] }} [opts]
 */
export async function runLbrun(playbook, inventory, opts = {}) {
  const args = [LBRUN, playbook, '-i', inventory, '--json'];
  if (opts.check) args.push('--check');
  if (opts.forks) args.push('--forks', String(opts.forks));
  args.push(...(opts.extra ?? []));
  const r = await timed(process.execPath, args, { rss: opts.rss, cwd: ROOT, timeoutMs: 30 * 60_000 });
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const recap = events.find((e) => e.event === 'recap');
  const results = events.filter((e) => e.event === 'host_result' && e.item === undefined);
  const counts = total(recap?.hosts ?? {});
  const failure = r.code !== 0 || !recap ? `lbrun exited ${r.code}: ${describeFailure(events, r.stderr)}` : undefined;
  return { tool: 'lbrun', ms: r.ms, rssKiB: r.rssKiB, code: r.code, counts, results, stats: recap?.stats, failure };
}

function describeFailure(events, stderr) {
  const bad = events.filter((e) => e.event === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'));
  const lines = bad.slice(0, 3).map((e) => `${e.host} / ${e.task}: ${e.msg ?? e.status}`);
  return [...lines, stderr.trim().split('\n').slice(-10).join('\n')].filter(Boolean).join('\n');
}

/** Sum of recap counts over hosts. */
function total(hosts) {
  const t = { hosts: 0, ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const c of Object.values(hosts)) {
    t.hosts++;
    for (const k of ['ok', 'changed', 'failed', 'unreachable', 'skipped']) t[k] += c[k] ?? 0;
  }
  return t;
}

/**
 * Environment for ansible-playbook: its stock settings (ssh with ControlMaster/ControlPersist)
 * plus what any tuned set-up uses: pipelining, no implicit fact gathering (scenario A's play
 * gathers the network facts it reads with an explicit setup), a fixed interpreter (no discovery); known_hosts checked strictly. `stock`: Ansible as
 * shipped instead (facts gathered, no pipelining, interpreter discovery). controlDir is fresh per
 * run, so no run reuses the previous run's SSH master connections.
 */
export function ansibleEnv(knownHosts, controlDir, stock = false) {
  const tuned = stock
    ? {}
    : { ANSIBLE_PIPELINING: 'True', ANSIBLE_GATHERING: 'explicit', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' };
  return {
    ...process.env,
    ...tuned,
    ANSIBLE_CONFIG: join(controlDir, 'ansible.cfg'),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_SSH_ARGS: `-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_LOCAL_TEMP: join(controlDir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_SYSTEM_WARNINGS: 'False',
    ANSIBLE_LOCALHOST_WARNING: 'False',
  };
}

let controlSeq = 0;

/**
 * @param {string} playbook
 * @param {string} inventory
 * @param {{ check?: boolean, diff?: boolean, forks: number, knownHosts: string, timeoutMs?: number, stock?: boolean }} opts
 */
export async function runAnsible(playbook, inventory, opts) {
  const controlDir = `/tmp/lbrun-bench-ansible-cp-${process.pid}-${++controlSeq}`;
  mkdirSync(join(controlDir, 'tmp'), { recursive: true });
  writeFileSync(join(controlDir, 'ansible.cfg'), '[defaults]\n');
  const args = [playbook, '-i', inventory, '-f', String(opts.forks)];
  if (opts.check) args.push('--check');
  if (opts.diff) args.push('--diff');
  try {
    const r = await timed('ansible-playbook', args, { env: ansibleEnv(opts.knownHosts, controlDir, opts.stock), cwd: ROOT, timeoutMs: opts.timeoutMs ?? 30 * 60_000 });
    if (r.timedOut) return { tool: 'ansible', ms: r.ms, code: r.code, counts: parseRecap(''), timedOut: true };
    const counts = parseRecap(r.stdout);
    const failure =
      r.code !== 0 || counts.hosts === 0
        ? `ansible-playbook exited ${r.code}:\n${tailFailures(r.stdout)}${r.stderr.trim().split('\n').slice(-5).join('\n')}`
        : undefined;
    return { tool: 'ansible', ms: r.ms, code: r.code, counts, failure };
  } finally {
    stopMasters(controlDir);
    rmSync(controlDir, { recursive: true, force: true });
  }
}

function tailFailures(stdout) {
  const lines = stdout.split('\n').filter((l) => /^(fatal|failed|ERROR)/.test(l) || /UNREACHABLE/.test(l));
  return lines.slice(0, 5).map((l) => `${l.slice(0, 400)}\n`).join('');
}

/** PLAY RECAP: "h001 : ok=10 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0" */
export function parseRecap(stdout) {
  const t = { hosts: 0, ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  const at = stdout.lastIndexOf('PLAY RECAP');
  if (at < 0) return t;
  for (const line of stdout.slice(at).split('\n')) {
    const m = /^\S+\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    t.hosts++;
    for (const [, k, v] of m[1].matchAll(/(\w+)=(\d+)/g)) if (k in t) t[k] += Number(v);
  }
  return t;
}

/** The ssh ControlMaster processes of one ansible run (found by their control path), ended by PID. */
function stopMasters(controlDir) {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // a master renames itself "ssh: DIR/HASH [mux]"
    if (cmdline.startsWith('ssh') && cmdline.includes(controlDir)) {
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  }
}
