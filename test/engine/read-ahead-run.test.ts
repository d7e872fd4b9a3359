// Read-ahead in serial plays, through the CLI against a real sshd: three inventory hosts on one
// loopback sshd (so they share one filesystem, which lets one host's change touch what another
// host's plan read ahead). A converged play uses the plans read ahead, with the same results and
// no more SSH round trips than --no-read-ahead; a change anywhere voids what was read before it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli, type CliResult } from '../support/run-cli.js';
import { startSshd, sshdHostVars } from '../support/sshd.js';

const ADDR = '127.0.0.63';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const dir = mkdtempSync(join(tmpdir(), 'lbrun-read-ahead-'));
const work = join(dir, 'work');
mkdirSync(join(dir, 'templates'));
const host = (name: string) => `    ${name}:\n${sshdHostVars(sshd)}`;
writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n${host('one')}${host('two')}${host('three')}`);
writeFileSync(join(dir, 'templates', 'motd.mustache'), 'host {{ inventory_hostname }} says {{ greeting }}\n');
writeFileSync(
  join(dir, 'converge.yaml'),
  `- name: one host after the other
  hosts: all
  serial: 1
  tasks:
    - name: a folder per host
      file: { path: "${work}/{{ inventory_hostname }}", state: directory, mode: "0755" }
    - name: a greeting, decided on the controller
      set_fact: { greeting: "hello from {{ inventory_hostname }}" }
    - name: a template that uses it
      template: { src: motd.mustache, dest: "${work}/{{ inventory_hostname }}/motd", mode: "0644" }
    - name: a plain file
      copy: { content: "static\\n", dest: "${work}/{{ inventory_hostname }}/static" }
    - name: a line in it
      lineinfile: { path: "${work}/{{ inventory_hostname }}/lines", line: "more", create: true }
    - name: the port is open
      wait_for: { port: ${sshd.port}, host: ${ADDR}, timeout: 5 }
    - name: a command that runs once
      command: { cmd: "touch ${work}/{{ inventory_hostname }}/done", creates: "${work}/{{ inventory_hostname }}/done" }
    - name: skipped on two
      when: inventory_hostname != 'two'
      copy: { content: "not two\\n", dest: "${work}/{{ inventory_hostname }}/not-two" }
`,
);
// the same play two hosts at a time
writeFileSync(join(dir, 'converge-by-two.yaml'), readFileSync(join(dir, 'converge.yaml'), 'utf8').replace('serial: 1', 'serial: 2'));
writeFileSync(
  join(dir, 'shared.yaml'),
  `- name: every host writes its name to one shared file
  hosts: all
  serial: 1
  tasks:
    - name: the shared file
      copy: { content: "{{ inventory_hostname }}\\n", dest: "${work}/shared" }
`,
);

const run = (play: string, ...extra: string[]) => runCli([join(dir, play), '-i', join(dir, 'hosts.yaml'), '--json', ...extra]);
const recapOf = (r: CliResult) => r.events.find((e) => e.event === 'recap') as { stats: unknown; read_ahead: { used: number } & Record<string, unknown> } & Record<string, unknown>;
/** Each host's task results in order, without timings (wait_for says how long it waited). */
const results = (r: CliResult) =>
  r.events
    .filter((e) => e.event === 'host_result')
    .map((e) => `${e.host} ${e.task}: ${e.status}${e.msg ? ` (${String(e.msg).replace(/ after \d+ s$/, ' after N s')})` : ''}`);
const commands = (r: CliResult) => Object.values(recapOf(r).stats as Record<string, { commands: number }>).reduce((n, s) => n + s.commands, 0);

t.test('a converged serial play uses the plans read ahead: same results, no extra round trips', async (t) => {
  const first = await run('converge.yaml');
  t.equal(first.code, 0, first.stderr + first.stdout);
  t.equal(recap(first).three.changed, 6, 'the first run converges (folder, template, copy, line, command, not-two)');
  t.equal(readFileSync(join(work, 'three', 'motd'), 'utf8'), 'host three says hello from three\n');

  const ahead = await run('converge.yaml');
  const plain = await run('converge.yaml', '--no-read-ahead');
  t.equal(ahead.code, 0, ahead.stderr);
  t.equal(plain.code, 0, plain.stderr);
  for (const h of ['one', 'two', 'three']) t.equal(recap(ahead)[h].changed, 0, `${h}: nothing changes`);
  t.same(results(ahead), results(plain), 'every task reports what it reports without read-ahead');
  t.same(recap(ahead), recap(plain));
  // per host: file, template, copy, lineinfile, command (creates) and the not-two copy (not on two)
  t.same(recapOf(ahead).read_ahead, { read: 17, used: 17 }, 'every plan read ahead was used');
  t.same(recapOf(plain).read_ahead, { read: 0, used: 0 });
  t.equal(commands(ahead), commands(plain), 'no more SSH round trips than reading each plan on its turn');

  // one fork: a host's turn waits on its read-ahead, which has its own slots (no deadlock)
  const oneFork = await run('converge.yaml', '--forks', '1');
  t.equal(oneFork.code, 0, oneFork.stderr);
  t.same(results(oneFork), results(plain), 'with --forks 1 too');
  const byTwo = await run('converge-by-two.yaml', '--forks', '1');
  const byTwoPlain = await run('converge-by-two.yaml', '--forks', '1', '--no-read-ahead');
  t.equal(byTwo.code, 0, byTwo.stderr);
  t.same(results(byTwo), results(byTwoPlain), 'two hosts a batch, one fork');
  t.same(recap(byTwo), recap(plain));

  const check = await run('converge.yaml', '--check');
  t.equal(check.code, 0, check.stderr);
  t.same(recapOf(check).read_ahead, { read: 17, used: 17 }, 'check mode reads ahead too');
  t.same(recap(check), recap(plain));
});

t.test('a change voids the plans read before it: a later host reads again on its turn', async (t) => {
  // "three" is what host three wants: read at the start of the play its plan says "no change". But
  // hosts one and two write the file first, so on its turn the file holds "two" and three must
  // write it again. Without voiding, three would report ok and leave "two" behind.
  writeFileSync(join(work, 'shared'), 'three\n');
  const r = await run('shared.yaml');
  t.equal(r.code, 0, r.stderr);
  t.same(
    results(r).map((l) => l.replace(/ \(.*\)$/, '')),
    ['one the shared file: changed', 'two the shared file: changed', 'three the shared file: changed'],
  );
  t.equal(readFileSync(join(work, 'shared'), 'utf8'), 'three\n', 'the last host wrote the file');
  t.equal(recapOf(r).read_ahead.used, 0, 'nothing read before a change was used after it');

  // check mode: a would-be change voids the read-ahead just the same, and nothing is written
  writeFileSync(join(work, 'shared'), 'three\n');
  const check = await run('shared.yaml', '--check');
  t.equal(check.code, 0, check.stderr);
  t.same(
    results(check).map((l) => l.replace(/ \(.*\)$/, '')),
    ['one the shared file: changed', 'two the shared file: changed', 'three the shared file: ok'],
  );
  t.equal(readFileSync(join(work, 'shared'), 'utf8'), 'three\n');
  t.equal(recapOf(check).read_ahead.used, 0);
});
