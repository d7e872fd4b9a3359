// The JSON recap carries each host's connection counters (commands run = SSH round trips, files
// put, bytes sent): what `npm run bench` reads. A serial play opens the next batch's connection
// early; a host that cannot be reached is still reported by its first task (exit 4).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const ADDR = '127.0.0.61';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const dir = mkdtempSync(join(tmpdir(), 'lbrun-stats-'));
const host = (name: string, port: number) => `    ${name}:
      lbrun_host: ${ADDR}
      lbrun_port: ${port}
      lbrun_ssh_key: ${sshd.clientKey}
      lbrun_known_hosts: ${sshd.knownHosts}
      lbrun_connect_retries: 0
      lbrun_connect_timeout: 5
`;
writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n${host('one', sshd.port)}${host('two', sshd.port)}${host('dead', 1)}`);
writeFileSync(
  join(dir, 'serial.yaml'),
  `- name: one host after the other
  hosts: one,two
  serial: 1
  tasks:
    - name: first command
      command: "true"
    - name: second command
      command: "true"
    - name: say something
      debug: { msg: hi }
`,
);
writeFileSync(
  join(dir, 'controller.yaml'),
  `- name: no connection needed
  hosts: one,two
  tasks:
    - debug: { msg: hi }
`,
);
writeFileSync(
  join(dir, 'dead.yaml'),
  `- name: the second batch cannot be reached
  hosts: one,dead
  serial: 1
  tasks:
    - name: first command
      command: "true"
`,
);

const recapEvent = (r: Awaited<ReturnType<typeof runCli>>) => r.events.find((e) => e.event === 'recap') as Record<string, unknown>;

t.test('the recap event counts each host\'s commands over its one connection', async (t) => {
  const r = await runCli([join(dir, 'serial.yaml'), '-i', join(dir, 'hosts.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const stats = recapEvent(r).stats as Record<string, { commands: number; puts: number; bytesOut: number }>;
  t.same(Object.keys(stats).sort(), ['one', 'two']);
  for (const h of ['one', 'two']) {
    // two command tasks: at least two round trips, no upload
    t.ok(stats[h].commands >= 2, `${h}: ${stats[h].commands} commands`);
    t.equal(stats[h].puts, 0);
  }
});

t.test('hosts that no task connects to have no counters', async (t) => {
  const r = await runCli([join(dir, 'controller.yaml'), '-i', join(dir, 'hosts.yaml'), '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(recapEvent(r).stats, {});
});

t.test('an unreachable host of a later batch is reported by its first task, exit 4', async (t) => {
  const r = await runCli([join(dir, 'dead.yaml'), '-i', join(dir, 'hosts.yaml'), '--json']);
  t.equal(r.code, 4, r.stderr);
  t.match(r.events.find((e) => e.event === 'host_result' && e.host === 'dead'), {
    status: 'unreachable',
    task: 'first command',
    msg: /refused/i,
  });
  t.match(recap(r), { one: { ok: 1, unreachable: 0 }, dead: { unreachable: 1 } });
  const stats = recapEvent(r).stats as Record<string, { commands: number }>;
  t.ok(stats.one.commands >= 1);
  t.equal(stats.dead?.commands ?? 0, 0, 'nothing ran on the host that was never reached');
});
