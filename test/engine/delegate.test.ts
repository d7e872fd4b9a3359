// delegate_to / local_action through the real CLI: the task runs on the delegate (an inventory host
// over SSH with its own settings, or localhost = the controller even when the inventory does not
// name it) and its result belongs to the original host; run_once with delegation runs once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const ADDR = '127.0.0.63';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const dir = mkdtempSync(join(tmpdir(), 'lbrun-delegate-'));
const inv = join(dir, 'hosts.yaml');
writeFileSync(
  inv,
  `all:
  hosts:
    ctl:
      lbrun_connection: local
    remote:
      lbrun_host: ${ADDR}
      lbrun_port: ${sshd.port}
      lbrun_ssh_key: ${sshd.clientKey}
      lbrun_known_hosts: ${sshd.knownHosts}
      lbrun_connect_retries: 0
    dead:
      lbrun_host: ${ADDR}
      lbrun_port: 1
      lbrun_connect_retries: 0
      lbrun_connect_timeout: 2
`,
);
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
// SSH_CONNECTION names the server address: set over SSH to the remote, never on the controller
const WHERE = `'echo "{{ inventory_hostname }}:\${SSH_CONNECTION:-local}"'`;
const result = (r: Awaited<ReturnType<typeof runCli>>, task: string) => r.events.filter((e) => e.event === 'host_result' && e.task === task);

t.test('delegate_to an inventory host runs there with its settings; the result is the original host\'s', async (t) => {
  const pb = write(
    'to-remote.yaml',
    `- hosts: ctl
  tasks:
    - name: On the remote
      shell: ${WHERE}
      delegate_to: remote
      register: where
    - name: Registered on ctl
      debug: { msg: "{{ where.stdout }}" }
`,
  );
  const r = await runCli([pb, '-i', inv, '--json']);
  t.equal(r.code, 0, r.stderr);
  t.match(result(r, 'On the remote'), [{ host: 'ctl', delegated_to: 'remote', status: 'changed' }]);
  const msg = result(r, 'Registered on ctl')[0]?.msg as string;
  t.match(msg, new RegExp(`^ctl:.* ${ADDR.replace(/\./g, '\\.')} ${sshd.port}$`), 'ran over SSH on the remote, with ctl\'s variables');
  t.same(Object.keys(recap(r)), ['ctl'], 'the recap counts the original host');
  const stats = r.events.find((e) => e.event === 'recap')?.stats as Record<string, { commands: number }>;
  t.ok(stats.remote?.commands >= 1, 'the commands went over the remote\'s connection');
  const human = await runCli([pb, '-i', inv]);
  t.match(human.stdout, /changed: \[ctl -> remote\]/);
});

t.test('delegate_to localhost (not in the inventory) and local_action run on the controller; run_once once', async (t) => {
  const pb = write(
    'to-local.yaml',
    `- hosts: remote,ctl
  tasks:
    - name: Where
      shell: ${WHERE}
      register: here
    - name: On the controller
      shell: ${WHERE}
      delegate_to: localhost
      register: there
    - name: Once for all
      local_action: command echo once-{{ inventory_hostname }}
      run_once: true
      register: once
    - name: Seen
      debug: { msg: "{{ here.stdout }} {{ there.stdout }} {{ once.stdout }}" }
`,
  );
  const r = await runCli([pb, '-i', inv, '--json']);
  t.equal(r.code, 0, r.stderr);
  const seen = Object.fromEntries(result(r, 'Seen').map((e) => [e.host, e.msg]));
  t.match(seen.remote, new RegExp(`^remote:.*${ADDR.replace(/\./g, '\\.')}.* remote:local once-ctl$`));
  t.equal(seen.ctl, 'ctl:local ctl:local once-ctl', 'run_once: the first host (inventory order) ran it, every host has its result');
  t.match(result(r, 'Once for all'), [{ host: 'ctl', delegated_to: 'localhost' }]);
  t.equal(result(r, 'Once for all').length, 1);
});

t.test('check mode: a delegated command would run and does not', async (t) => {
  const marker = join(dir, 'check-marker');
  const pb = write('check.yaml', `- hosts: remote\n  tasks:\n    - name: Touch\n      command: touch ${marker}\n      delegate_to: localhost\n`);
  const r = await runCli([pb, '-i', inv, '--json', '--check']);
  t.equal(r.code, 0, r.stderr);
  t.match(result(r, 'Touch'), [{ host: 'remote', delegated_to: 'localhost', status: 'changed' }]);
  t.throws(() => writeFileSync(join(marker, 'x'), ''), 'the marker was not created');
});

t.test('an unreachable delegate makes the host unreachable (exit 4)', async (t) => {
  const pb = write('dead.yaml', `- hosts: ctl\n  tasks:\n    - name: Via dead\n      command: "true"\n      delegate_to: dead\n`);
  const r = await runCli([pb, '-i', inv, '--json']);
  t.equal(r.code, 4);
  t.match(result(r, 'Via dead'), [{ host: 'ctl', delegated_to: 'dead', status: 'unreachable' }]);
});

t.test('offline: a delegate the inventory does not name is an input error at its line', async (t) => {
  const pb = write(
    'unknown.yaml',
    `- hosts: ctl\n  tasks:\n    - name: Typo\n      command: "true"\n      delegate_to: remtoe\n    - name: Templated\n      command: "true"\n      delegate_to: "{{ 'ghost' }}"\n`,
  );
  const r = await runCli([pb, '-i', inv]);
  t.equal(r.code, 3);
  t.match(r.stderr, /unknown\.yaml:5:20: delegate_to 'remtoe' is not a host of the inventory \(did you mean 'remote'\?\)/);
  t.match(r.stderr, /unknown\.yaml:8:20: delegate_to 'ghost' is not a host of the inventory/);
  const bad = write('bad-local.yaml', `- hosts: ctl\n  tasks:\n    - local_action: nosuchmodule x\n    - local_action: command true\n      delegate_to: remote\n`);
  const b = await runCli(['validate', bad, '-i', inv]);
  t.equal(b.code, 3);
  t.match(b.stderr, /bad-local\.yaml:3:21: unknown module 'nosuchmodule' in local_action/);
  t.match(b.stderr, /bad-local\.yaml:5:7: local_action and delegate_to in one task/);
});
