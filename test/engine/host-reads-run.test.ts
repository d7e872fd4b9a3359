// Reads made ahead through the CLI against a real sshd (three inventory hosts on one loopback sshd),
// serial and not: a converged play gives the same results with and without --no-read-ahead, in
// fewer round trips; what cannot be known ahead (a wait, a loop, a value registered or set on the
// way, a `when` false now) is read on its turn. (The mechanism on its own: host-reads.test.ts.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli, type CliResult } from '../support/run-cli.js';
import { startSshd, sshdHostVars } from '../support/sshd.js';

const ADDR = '127.0.0.63';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const dir = mkdtempSync(join(tmpdir(), 'lbrun-host-reads-'));
const work = join(dir, 'work');
const host = (name: string) => `    ${name}:\n${sshdHostVars(sshd)}`;
writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n${host('one')}${host('two')}${host('three')}`);
const play = (serial: string) => `- name: packages and files
  hosts: all
  ${serial}
  vars: { pkgs: [openssh-server, sudo] }
  tasks:
    - name: packages
      apt: { name: "{{ pkgs }}" }
    - name: a folder per host
      file: { path: "${work}/{{ inventory_hostname }}", state: directory, mode: "0755" }
    - name: a file in it
      copy: { content: "note\\n", dest: "${work}/{{ inventory_hostname }}/note", mode: "0644" }
    - name: one more
      apt: { name: coreutils }
    - name: not on two
      when: inventory_hostname != 'two'
      apt: { name: bash }
    - name: with an environment
      environment: { LC_ALL: C }
      apt: { name: dash }
    - name: the port is open
      wait_for: { port: ${sshd.port}, host: ${ADDR}, timeout: 5 }
    - name: looped
      apt: { name: "{{ item }}" }
      loop: [sed, grep]
    - name: decided on the controller
      set_fact: { more: [tar] }
    - name: after it
      apt: { name: "{{ more }}" }
    - name: registered
      apt: { name: gzip }
      register: got
    - name: a block
      block:
        - name: inside
          apt: { name: findutils }
      always:
        - name: always
          apt: { name: login }
    - name: tagged away
      apt: { name: passwd }
      tags: [away]
`;
writeFileSync(join(dir, 'linear.yaml'), play(''));
writeFileSync(join(dir, 'serial.yaml'), play('serial: 1'));

const run = (file: string, ...extra: string[]) => runCli([join(dir, file), '-i', join(dir, 'hosts.yaml'), '--json', '--skip-tags', 'away', ...extra]);
const recapOf = (r: CliResult) => r.events.find((e) => e.event === 'recap') as { stats: Record<string, { commands: number }>; read_ahead: { read: number; used: number } };
/** Each host's task results in order, without timings. */
const results = (r: CliResult) =>
  r.events
    .filter((e) => e.event === 'host_result')
    .map((e) => `${e.host} ${e.task}${e.item === undefined ? '' : ` ${JSON.stringify(e.item)}`}: ${e.status}${e.msg ? ` (${String(e.msg).replace(/ after \d+ s$/, ' after N s')})` : ''}`)
    .sort();
const commands = (r: CliResult) => Object.values(recapOf(r).stats).reduce((n, s) => n + s.commands, 0);

for (const file of ['linear.yaml', 'serial.yaml']) {
  t.test(`${file}: the same results in fewer round trips`, async (t) => {
    rmSync(work, { recursive: true, force: true });
    const cold = await run(file);
    t.equal(cold.code, 0, cold.stderr + cold.stdout);
    t.equal(recap(cold).three.changed, 2, 'the first run makes the folder and the file');

    const ahead = await run(file);
    const plain = await run(file, '--no-read-ahead');
    t.equal(ahead.code, 0, ahead.stderr);
    t.equal(plain.code, 0, plain.stderr);
    t.same(results(ahead), results(plain), 'every task reports what it reports when each read runs on its turn');
    t.same(recap(ahead), recap(plain));
    for (const h of ['one', 'two', 'three']) t.equal(recap(ahead)[h].changed, 0, `${h}: nothing changes`);
    t.same(recapOf(plain).read_ahead, { read: 0, used: 0 });
    const { read, used } = recapOf(ahead).read_ahead;
    // per host at least: one more and not on two (with the packages), registered (with after it),
    // always (with inside); more as modules move to the typed contract (file: the folder); never the
    // environment (its own group), the wait, the loop, the tagged-away task
    t.ok(used >= 3 * 3 + 2, `the reads known ahead answered their tasks (${used})`);
    t.equal(read, used, 'every read made ahead was used');
    t.equal(commands(ahead), commands(plain) - used, 'each one saved its round trip');

    const check = await run(file, '--check');
    const checkPlain = await run(file, '--check', '--no-read-ahead');
    t.equal(check.code, 0, check.stderr);
    t.same(results(check), results(checkPlain), '--check too');
    t.equal(recapOf(check).read_ahead.used, used);

    // with --diff a read also takes the file's content: the reads made ahead must be those reads
    const diff = await run(file, '--check', '--diff');
    const diffPlain = await run(file, '--check', '--diff', '--no-read-ahead');
    t.equal(diff.code, 0, diff.stderr);
    t.same(results(diff), results(diffPlain), '--check --diff too');
    t.equal(recapOf(diff).read_ahead.used, used, '--diff: as many reads answered as without it');
    t.equal(commands(diff), commands(diffPlain) - used);
  });
}

t.test('a run that changes hosts: the same results, the reads after a change made again', async (t) => {
  for (const file of ['linear.yaml', 'serial.yaml']) {
    rmSync(work, { recursive: true, force: true });
    const ahead = await run(file);
    rmSync(work, { recursive: true, force: true });
    const plain = await run(file, '--no-read-ahead');
    t.equal(ahead.code, 0, ahead.stderr + ahead.stdout);
    t.same(results(ahead), results(plain), file);
    for (const h of ['one', 'two', 'three']) t.equal(recap(ahead)[h].changed, 2, `${file}: ${h} made its folder and file`);
    t.ok(recapOf(ahead).read_ahead.used < recapOf(ahead).read_ahead.read, `${file}: the reads made before the folders were dropped`);
  }
});
