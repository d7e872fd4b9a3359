// Read-ahead (serial plays) with blocks, rescue, always, retries and delegation, through the CLI
// against a real sshd: the results are the same with and without reading ahead, plans inside a
// block and its always are read ahead, and a delegated or retried task is never read ahead.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli, type CliResult } from '../support/run-cli.js';
import { startSshd, sshdHostVars } from '../support/sshd.js';

const ADDR = '127.0.0.65';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const dir = mkdtempSync(join(tmpdir(), 'lbrun-read-ahead-flow-'));
const work = join(dir, 'work');
const controller = join(dir, 'controller');
mkdirSync(controller);
const host = (name: string) => `    ${name}:\n${sshdHostVars(sshd)}`;
writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n${host('one')}${host('two')}${host('three')}`);
writeFileSync(
  join(dir, 'play.yaml'),
  `- name: a rolling play with blocks
  hosts: all
  serial: 1
  tasks:
    - name: a folder per host
      file: { path: "${work}/{{ inventory_hostname }}", state: directory, mode: "0755" }
    - name: guarded
      block:
        - name: a file in the block
          copy: { content: "in block\\n", dest: "${work}/{{ inventory_hostname }}/block" }
        - name: fails on two
          command: "test {{ inventory_hostname }} != two"
          changed_when: false
        - name: after the failure
          copy: { content: "after\\n", dest: "${work}/{{ inventory_hostname }}/after" }
      rescue:
        - name: the rescue's file
          copy: { content: "rescued\\n", dest: "${work}/{{ inventory_hostname }}/rescued" }
      always:
        - name: the always file
          copy: { content: "always\\n", dest: "${work}/{{ inventory_hostname }}/always" }
    - name: a record on the controller
      copy: { content: "{{ inventory_hostname }}\\n", dest: "${controller}/{{ inventory_hostname }}" }
      delegate_to: localhost
    - name: retried until present
      stat_like_copy: true
`.replace('      stat_like_copy: true\n', `      copy: { content: "last\\n", dest: "${work}/{{ inventory_hostname }}/last" }
      register: last
      until: last is defined
      retries: 2
      delay: 0
    - name: the end
      copy: { content: "end\\n", dest: "${work}/{{ inventory_hostname }}/end" }
`),
);

const run = (...extra: string[]) => runCli([join(dir, 'play.yaml'), '-i', join(dir, 'hosts.yaml'), '--json', ...extra]);
const recapOf = (r: CliResult) => r.events.find((e) => e.event === 'recap') as { stats: unknown; read_ahead: { used: number } & Record<string, unknown> } & Record<string, unknown>;
const results = (r: CliResult) =>
  r.events.filter((e) => e.event === 'host_result').map((e) => `${e.host} ${e.task}: ${e.status}${e.rescued ? ' rescued' : ''}${e.delegated_to ? ` -> ${e.delegated_to}` : ''}`);

t.test('same results with and without read-ahead; block plans read ahead, delegated and retried never', async (t) => {
  const first = await run();
  t.equal(first.code, 0, first.stderr + first.stdout);
  t.match(recap(first).two, { rescued: 1, failed: 0 });
  for (const args of [[], ['--check']]) {
    const ahead = await run(...args);
    const plain = await run(...args, '--no-read-ahead');
    t.equal(ahead.code, 0, ahead.stderr);
    t.same(results(ahead), results(plain), `${args.join(' ') || 'run'}: every result as without read-ahead`);
    t.same(recap(ahead), recap(plain));
    const { read, used } = recapOf(ahead).read_ahead as { read: number; used: number };
    t.ok(used > 0, `${args.join(' ') || 'run'}: plans inside the block were read ahead and used (${used} of ${read})`);
    // per host at most: folder, block file, the command, after, always, end (never the delegated or
    // the retried copy)
    t.ok(read <= 18, `no plan of the delegated or retried task was read ahead (${read})`);
  }
});
