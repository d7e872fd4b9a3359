// Reads joined into one command (src/engine/joined-reads.ts) through the CLI, against real systemd on
// the lab's three nodes: a play's `service` reads share one `systemctl show` in one round trip per
// node, and every task's result is the same as with --no-read-ahead (each read on its own turn),
// also where systemctl refuses a unit name and the joined command cannot answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureLab } from '../lab/helpers.js';
import { attach, detach, execs, sshdListener } from '../lab/node-trace.js';
import { runCli, type CliResult } from '../support/run-cli.js';

await ensureLab();
const dir = mkdtempSync(join(tmpdir(), 'lbrun-joined-reads-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function playbook(name: string, tasks: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `- name: ${name}\n  hosts: loadbalancers\n  tasks:\n${tasks}`);
  return file;
}

/** Each task's result on each host, as the user sees it (timings aside; hosts finish in any order). */
function results(r: CliResult): string[] {
  return r.events
    .filter((e) => e.event === 'host_result')
    .map(({ duration_ms: _, ...e }) => JSON.stringify(e))
    .sort();
}

function recapOf(r: CliResult): { stats: Record<string, { commands: number }>; read_ahead: { read: number; used: number } } {
  const e = r.events.find((x) => x.event === 'recap');
  if (!e) throw new Error(`no recap (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  return e as never;
}

const run = (file: string, more: string[] = []) => runCli([file, '-i', 'inventory/lab.yaml', '--json', ...more]);

/** The run, and the `systemctl show` processes lb-01 started for it (strace on its sshd). */
async function traced(file: string, more: string[] = []): Promise<{ r: CliResult; shows: string[] }> {
  const out = join(dir, `trace-${Math.random().toString(36).slice(2)}`);
  const tracer = await attach(sshdListener('lb-01'), out);
  let r: CliResult;
  try {
    r = await run(file, more);
  } finally {
    await detach(tracer);
  }
  return { r, shows: execs(out).filter((l) => /execve\("[^"]*systemctl", \["systemctl", "show"/.test(l)) };
}

t.test('service reads share one systemctl show: one round trip per node, the same results', async (t) => {
  const file = playbook(
    'services',
    `    - name: sshd runs
      service: { name: ssh, state: started, enabled: true }
    - name: the journal runs
      service: { name: systemd-journald, state: started }
    - name: a unit no node has
      service: { name: lbrun-no-such-unit, state: stopped }
      ignore_errors: true
    - name: sshd by its full name
      service: { name: ssh.service, state: started }
`,
  );
  const { r: joined, shows } = await traced(file);
  const { r: alone, shows: aloneShows } = await traced(file, ['--no-read-ahead']);
  t.equal(joined.code, 0, joined.stderr);
  t.equal(alone.code, 0, alone.stderr);
  t.equal(shows.length, 1, 'lb-01 ran systemctl show once for the four units');
  t.match(shows[0], /"--", "ssh", "systemd-journald", "lbrun-no-such-unit", "ssh.service"\]/, 'with the four units in task order');
  t.equal(aloneShows.length, 4, 'each read on its own: four');
  t.same(results(joined), results(alone), 'every result as when each read runs on its own');
  t.equal(results(joined).length, 12);
  t.match(results(joined).join('\n'), /a unit no node has.*"status":"failed".*no such unit/, 'the missing unit is still reported as missing');
  const r = recapOf(joined);
  for (const host of ['lb-01', 'lb-02', 'lb-03']) {
    t.equal(r.stats[host].commands, 1, `${host}: one round trip for the four reads`);
    t.equal(recapOf(alone).stats[host].commands, 4, `${host}: four without reads made ahead`);
  }
  t.same(r.read_ahead, { read: 9, used: 9 }, 'three reads per node answered from the joined command');
});

t.test('a unit name systemctl refuses: the joined command cannot answer, each read runs alone, same results', async (t) => {
  const file = playbook(
    'refused',
    `    - name: sshd runs
      service: { name: ssh, state: started }
    - name: a template without its instance
      service: { name: "getty@", state: started }
      ignore_errors: true
    - name: the journal runs
      service: { name: systemd-journald, state: started }
`,
  );
  const joined = await run(file);
  const alone = await run(file, ['--no-read-ahead']);
  t.equal(joined.code, 0, joined.stderr);
  t.same(results(joined), results(alone));
  t.match(results(joined).join('\n'), /a template without its instance.*"status":"failed".*getty@/);
  t.same(recapOf(joined).read_ahead.used, 0, 'no read was answered by the refused command');
});
