// become_user is templated per host, on the play, a block or the task (as in Ansible), through the
// real CLI on local hosts; one that renders to no user name is bad input before any command runs.
import t, { type Test } from 'tap';
import { runCli, type CliResult } from '../support/run-cli.js';

const INVENTORY = 'all:\n  hosts:\n    a: { lbrun_connection: local, who: nobody, blk: root, tsk: daemon }\n    b: { lbrun_connection: local, who: daemon, blk: daemon, tsk: nobody }\n';

/** The playbook (one line per entry) run through the CLI against the two local hosts. */
function runPlaybook(t: Test, lines: string[], extra: string[] = []): Promise<CliResult> {
  const dir = t.testdir({ 'inv.yaml': INVENTORY, 'playbook.yaml': [...lines, ''].join('\n') });
  return runCli([`${dir}/playbook.yaml`, '-i', `${dir}/inv.yaml`, ...extra]);
}

t.test('a templated become_user runs each host as its own user: play, block and task', async (t) => {
  const r = await runPlaybook(
    t,
    [
      '- hosts: all',
      '  become: true',
      '  become_user: "{{ who }}"',
      '  tasks:',
      '    - name: play',
      '      command: id -un',
      '      register: by_play',
      '    - block:',
      '        - name: block',
      '          command: id -un',
      '          register: by_block',
      '      become_user: "{{ blk }}"',
      '    - name: task',
      '      command: id -un',
      '      become_user: "{{ other }}"',
      '      vars: { other: "{{ tsk }}" }',
      '      register: by_task',
      '    - name: say',
      '      debug: { msg: "{{ by_play.stdout }} {{ by_block.stdout }} {{ by_task.stdout }}" }',
    ],
    ['--json'],
  );
  t.equal(r.code, 0, r.stderr);
  const said = Object.fromEntries(r.events.filter((e) => e.event === 'host_result' && e.task === 'say').map((e) => [e.host, (e as { msg?: string }).msg]));
  t.same(said, { a: 'nobody root daemon', b: 'daemon daemon nobody' });
});

t.test('a become_user that renders to nothing, or names an undefined variable, is bad input: exit 3, its own line, nothing run', async (t) => {
  const r = await runPlaybook(t, [
      '- hosts: all',
      '  vars: { empty: "" }',
      '  tasks:',
      '    - name: would leave a mark',
      '      command: touch {{ playbook_dir }}/ran',
      '    - block:',
      '        - command: id -un',
      '      become: true',
      '      become_user: "{{ nobody_by_that_name }}"',
      '    - command: id -un',
      '      become: true',
      '      become_user: "{{ empty }}"',
  ]);
  t.equal(r.code, 3, r.stdout);
  const lines = r.stderr.split('\n').filter((l) => l.includes('playbook.yaml:'));
  t.match(lines[0], /playbook\.yaml:9:24: undefined variable 'nobody_by_that_name'/);
  t.match(lines[1], /playbook\.yaml:12:20: become_user "\{\{ empty \}\}" renders to "", which is no user name .*expected a user name or uid/);
  t.notOk(r.stdout.includes('TASK'), 'no task ran');
});
