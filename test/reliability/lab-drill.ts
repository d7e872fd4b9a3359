/**
 * Helpers of the lab fault tests: an inventory of the lab hosts (optionally with a 4th, unused
 * address), the drill playbook through the real CLI, and what must hold after every fault: no
 * temp file left by lbrun (".NAME.lbrun-XXXXXXXXXXXX" beside a destination), no stray remote
 * process, files byte-identical, services not restarted, and a re-run that converges.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { LAB_FILES, LAB_HOSTS, labExec } from '../lab/helpers.js';
import { REPO_ROOT, recap, runCli, type CliResult } from '../support/run-cli.js';

export const HOSTS = ['lb-01', 'lb-02', 'lb-03'];
export const DRILL = join(REPO_ROOT, 'test/reliability/fixtures/drill.yaml');
export const UNUSED_ADDRESS = '10.213.0.14';

/** The temp-file name managed files use beside their destination (src/modules/support/managed-file.ts). */
export const TEMP_FILE_GLOB = '.*.lbrun-*';

const dir = mkdtempSync(join(tmpdir(), 'lbrun-drill-'));

/** An inventory of lb-01..03 (group drill), plus lb-04 at an unused lab address if asked. */
export function drillInventory(opts: { withUnreachable?: boolean } = {}): string {
  const hosts = HOSTS.map((h) => `    ${h}: { lbrun_host: ${LAB_HOSTS[h]} }`);
  if (opts.withUnreachable) hosts.push(`    lb-04: { lbrun_host: ${UNUSED_ADDRESS} }`);
  const file = join(dir, opts.withUnreachable ? 'four.yaml' : 'three.yaml');
  writeFileSync(
    file,
    [
      'all:',
      '  vars:',
      `    lbrun_ssh_key: ${LAB_FILES.privateKey}`,
      `    lbrun_known_hosts: ${LAB_FILES.knownHosts}`,
      '    lbrun_connect_timeout: 3',
      '    lbrun_connect_retries: 0',
      '  children:',
      '    drill:',
      '      hosts:',
      ...hosts.map((h) => `    ${h}`),
      '',
    ].join('\n'),
  );
  return file;
}

/** A vars file for -e @file (for values too big or too odd for the command line). */
export function varsFile(name: string, vars: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(vars));
  return file;
}

/** `lbrun drill.yaml -i INVENTORY --json ARGS`; onTask(name, child) fires at each task_start. */
export function drill(
  args: string[],
  opts: { inventory?: string; onTask?: (task: string, child: ChildProcess) => void; human?: boolean } = {},
): Promise<CliResult> {
  return runCli([DRILL, '-i', opts.inventory ?? drillInventory(), ...(opts.human ? [] : ['--json']), ...args], {
    timeoutMs: 5 * 60_000,
    onSpawn: (child) => {
      if (!opts.onTask) return;
      let buf = '';
      child.stdout?.on('data', (d: Buffer | string) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.startsWith('{')) continue;
          const e = JSON.parse(line) as { event: string; task?: string; name?: string };
          if (e.event === 'task_start') opts.onTask!(String(e.task ?? e.name), child);
        }
      });
    },
  });
}

/** Run the drill twice more with the same args: the second re-run must change nothing. */
export async function reconverge(args: string[] = []): Promise<{ first: CliResult; second: CliResult; changed: number }> {
  const first = await drill(args);
  const second = await drill(args);
  const changed = Object.values(recap(second)).reduce((n, h) => n + h.changed, 0);
  return { first, second, changed };
}

/** Run a command on a lab host; throws unless it exits 0. */
export async function on(host: string, cmd: string): Promise<string> {
  const r = await labExec(host, cmd, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${host}: ${cmd}: exit ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Where lbrun writes on the lab hosts: the drill's directories and the roles' (a temp file is beside its destination). */
const WRITE_ROOTS = ['/etc', '/usr/local', '/root', '/tmp', '/var/tmp'];

/** lbrun temp files under WRITE_ROOTS. Throws when the look fails (a failed probe is not "none found"). */
export async function tempFiles(host: string): Promise<string[]> {
  const r = await labExec(host, `find ${WRITE_ROOTS.join(' ')} -xdev -name '${TEMP_FILE_GLOB}' -print`, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${host}: cannot look for temp files (find exit ${r.code}): ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * Processes on the host whose command line matches `pattern` (a JavaScript regexp), from the whole
 * process list. Throws when ps fails or lists nothing (a failed probe is not "none found").
 */
export async function processes(host: string, pattern: string | RegExp): Promise<string[]> {
  const r = await labExec(host, 'ps -eo pid=,args=');
  const lines = r.stdout.split('\n').filter(Boolean);
  if (r.code !== 0 || lines.length < 2) throw new Error(`${host}: cannot list processes (ps exit ${r.code}, ${lines.length} lines): ${r.stderr}`);
  const re = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
  // the ps itself, and the shell that runs it, are not the process looked for
  return lines.filter((l) => re.test(l.replace(/^\s*\d+\s+/, '')) && !/ps -eo pid=,args=/.test(l));
}

/**
 * A write held in flight: the drill's validate waits (after the temp file is written and checked,
 * before the rename) until the test releases it. `id` is unique per run and is in the waiting
 * process's command line; `held()` tells whether the write is waiting now on `host`.
 */
export function holdPoint(id: string) {
  return {
    args: ['-e', `drill_hold=${id}`],
    held: async (host: string) => (await labExec(host, `test -e /run/lbrun-drill-held-${id}`)).code === 0,
    release: async (host: string) => {
      await on(host, `touch /run/lbrun-drill-go-${id}`);
    },
    cleanup: async (host: string) => {
      await labExec(host, `rm -f /run/lbrun-drill-held-${id} /run/lbrun-drill-go-${id}`);
    },
  };
}

/** sha256 of a file on a host, or 'absent'. */
export async function hashOf(host: string, path: string): Promise<string> {
  const r = await labExec(host, `cat -- '${path}'`);
  return r.code === 0 ? createHash('sha256').update(r.stdout).digest('hex') : 'absent';
}

export async function fileText(host: string, path: string): Promise<string | undefined> {
  const r = await labExec(host, `cat -- '${path}'`);
  return r.code === 0 ? r.stdout : undefined;
}

/**
 * What says whether a service was restarted or reloaded: its main pid, when it last became active,
 * and its child pids (a HAProxy reload replaces the worker).
 */
export async function serviceStamp(host: string, unit: string): Promise<string> {
  const show = (await on(host, `systemctl show -p MainPID -p ActiveEnterTimestamp -p ExecMainStartTimestamp ${unit}`)).trim();
  const children = await on(host, `pgrep -P "$(systemctl show -p MainPID --value ${unit})" | sort -n | tr '\\n' ' '; true`);
  return `${show}\nchildren=${children.trim()}`;
}

/**
 * A journal cursor on the host, for serviceEvents: every line after it is newer, whatever the clock
 * says (a `--since @seconds` baseline also caught a reload finished earlier in the same second).
 */
export async function journalCursor(host: string): Promise<string> {
  const out = await on(host, 'journalctl -n 0 --show-cursor -q');
  const m = /^-- cursor: (\S+)$/m.exec(out);
  if (!m) throw new Error(`${host}: no journal cursor in ${JSON.stringify(out)}`);
  return m[1];
}

/**
 * A cursor taken once the units have been quiet for `quietMs`: lines a reload logs just after it
 * (the old HAProxy worker's "Proxy ... stopped") belong before the baseline, not after it.
 */
export async function quietJournalCursor(host: string, units: string[], quietMs = 1000): Promise<string> {
  for (let tries = 0; ; tries++) {
    const cursor = await journalCursor(host);
    await sleep(quietMs);
    const late = (await Promise.all(units.map((u) => serviceEvents(host, u, cursor)))).flat();
    if (late.length === 0) return cursor;
    if (tries >= 10) throw new Error(`${host}: ${units.join(', ')} still logging after ${tries} s: ${late.slice(0, 3).join(' | ')}`);
  }
}

/** Journal lines of a unit after `cursor` (journalCursor) that tell of a reload, stop or start. */
export async function serviceEvents(host: string, unit: string, cursor: string): Promise<string[]> {
  const r = await labExec(host, `journalctl -u ${unit} --after-cursor '${cursor}' -q -o cat | grep -iE 'reload|stopp|starting|started' || true`);
  return r.stdout.split('\n').filter(Boolean);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
