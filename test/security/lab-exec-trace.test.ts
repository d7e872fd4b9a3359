/**
 * Secrets never reach a process's command line or environment, by construction, not by sampling:
 * every execve on the controller (lbrun started under `strace -f`) and on the three nodes (strace
 * attached to each node's sshd listener, following every session it forks) is recorded for a full
 * real run of site.yaml that writes keepalived.conf with a canary VRRP password on every node. The
 * canary (and its base64 and hex forms) is in none of them. Positive controls prove each trace sees
 * what it looks for: a marker sent over real SSH shows in each node's trace, lbrun's own start in
 * the controller's, and each node's keepalived config test (run by the write's validate) in its own.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { labExec, labSsh } from '../lab/helpers.js';
import { runCli } from '../support/run-cli.js';
import { explain, LAB_HOSTS, labSession, VRRP_PASS } from '../e2e/lab-site.js';
import { attach, detach, execs, sshdListener, STRACE } from '../lab/node-trace.js';

t.setTimeout(20 * 60_000);

const dir = mkdtempSync(join(tmpdir(), 'lbrun-exec-trace-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const CANARY = `k${randomBytes(4).toString('hex').slice(0, 7)}`; // VRRPv2 auth_pass: at most 8 characters
const FORMS = [CANARY, Buffer.from(CANARY).toString('base64').replace(/=+$/, ''), Buffer.from(CANARY).toString('hex')];

t.before(async () => {
  await labSession({ converge: true });
});

t.test('a full real run writing the canary VRRP password: no execve on the controller or a node carries it', async (t) => {
  const marker = `lbrun-trace-control-${randomBytes(4).toString('hex')}`;
  const tracers = new Map<string, ChildProcess>();
  for (const h of LAB_HOSTS) tracers.set(h, await attach(sshdListener(h), join(dir, `${h}.trace`)));
  let code: number | undefined;
  try {
    // positive control: a command sent over real SSH, through the traced sshd
    for (const h of LAB_HOSTS) t.equal((await labSsh(h, `echo ${marker}`)).code, 0, `${h}: control command over SSH`);
    // the gate is off: a password rolled node by node leaves two VRRP groups until the last node
    const r = await runCli(['playbooks/site.yaml', '-i', 'inventory/lab.yaml', '--json', '-e', 'keepalived_gate=false', '--diff'], {
      env: { LBRUN_VRRP_AUTH_PASS: CANARY },
      timeoutMs: 10 * 60_000,
      wrap: ['strace', ...STRACE, '-o', join(dir, 'controller.trace')],
    });
    code = r.code;
    t.equal(r.code, 0, explain(r));
    const writes = r.events.filter((e) => e.event === 'host_result' && e.task === 'keepalived : Write /etc/keepalived/keepalived.conf' && e.status === 'changed');
    t.same(writes.map((e) => e.host).sort(), LAB_HOSTS, 'keepalived.conf was written on every node');
    for (const f of FORMS) t.notOk((r.stdout + r.stderr).includes(f), 'the output does not show it either');
  } finally {
    for (const c of tracers.values()) await detach(c);
  }
  for (const h of LAB_HOSTS) {
    t.equal((await labExec(h, `grep -c 'auth_pass ${CANARY}$' /etc/keepalived/keepalived.conf`)).stdout.trim(), '1', `${h}: keepalived.conf holds the canary`);
  }
  const controller = execs(join(dir, 'controller.trace'));
  t.ok(controller.some((l) => l.includes('bin/lbrun.js')), "control: the controller's trace shows lbrun's own start");
  t.ok(controller.some((l) => l.includes(`LBRUN_VRRP_AUTH_PASS=`)), "control: it shows the environment (where the canary is: lbrun's own, not a child's)");
  let checked = 0;
  const leaks: string[] = [];
  for (const [where, lines] of [['controller', controller.filter((l) => !l.includes('bin/lbrun.js'))], ...LAB_HOSTS.map((h) => [h, execs(join(dir, `${h}.trace`))] as const)] as const) {
    if (where !== 'controller') {
      t.ok(lines.some((l) => l.includes(marker)), `control: ${where}'s trace shows the command sent over SSH`);
      t.ok(lines.some((l) => /keepalived.*(-t|--config-test)/.test(l)), `control: ${where}'s trace shows the keepalived config test of the write`);
    }
    checked += lines.length;
    for (const l of lines) if (FORMS.some((f) => l.includes(f))) leaks.push(`${where}: ${l.slice(0, 200).replaceAll(CANARY, 'CANARY')}`);
  }
  t.same(leaks, [], `no execve carried the canary (${checked} execs traced)`);
  t.comment(`FIGURE exec_trace runs=1 execs_traced=${checked} leaks=${leaks.length} exit=${code}`);
});

t.test('put the e2e password back on every node', async (t) => {
  const r = await runCli(['playbooks/site.yaml', '-i', 'inventory/lab.yaml', '--json', '-e', 'keepalived_gate=false'], {
    env: { LBRUN_VRRP_AUTH_PASS: VRRP_PASS },
    timeoutMs: 10 * 60_000,
  });
  t.equal(r.code, 0, explain(r));
});
