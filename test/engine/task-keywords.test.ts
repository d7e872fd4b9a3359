// Per-task keywords through the real CLI: check_mode (true/false, against --check), diff (true/false,
// against --diff), environment (templated values exported on the host, local and over SSH; secret
// values masked), throttle (at most N hosts at once), and --start-at-task.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const ADDR = '127.0.0.64';
const sshd = await startSshd(ADDR);
t.teardown(() => sshd.stop());

const tmp = () => mkdtempSync(join(tmpdir(), 'lbrun-keywords-'));
const results = (r: { events: Array<Record<string, unknown>> }, task: string) => r.events.filter((e) => e.event === 'host_result' && e.task === task);

t.test('check_mode: false runs for real under --check; check_mode: true only checks in a real run', async (t) => {
  const dir = tmp();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(
    pb,
    `- hosts: h1
  tasks:
    - name: Real
      command: touch ${dir}/real
      check_mode: false
    - name: Checked
      command: touch ${dir}/checked
      check_mode: true
    - name: Block of checks
      check_mode: true
      block:
        - name: Checked in a block
          command: touch ${dir}/checked-in-block
    - name: Mode seen
      debug: { msg: "{{ ansible_check_mode }}" }
      check_mode: true
`,
  );
  const checked = await runCli([pb, '-i', INV, '--json', '--check']);
  t.equal(checked.code, 0, checked.stderr);
  t.same(readdirSync(dir).sort(), ['pb.yaml', 'real'], 'under --check only the check_mode: false task ran');
  const real = await runCli([pb, '-i', INV, '--json']);
  t.equal(real.code, 0, real.stderr);
  t.same(readdirSync(dir).sort(), ['pb.yaml', 'real'], 'check_mode: true tasks (and a block of them) did not run');
  t.match(results(real, 'Checked'), [{ status: 'changed' }], 'it says what it would do');
  t.match(results(real, 'Mode seen'), [{ msg: 'true' }], 'ansible_check_mode follows the task');
});

t.test('diff: false hides a task\'s diff under --diff; diff: true shows one without it', async (t) => {
  const dir = tmp();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(
    pb,
    `- hosts: h1
  tasks:
    - name: Hidden
      copy: { dest: ${dir}/hidden, content: "private text\\n" }
      diff: false
    - name: Shown
      copy: { dest: ${dir}/shown, content: "public text\\n" }
      diff: true
`,
  );
  const withDiff = await runCli([pb, '-i', INV, '--json', '--check', '--diff']);
  t.notOk(results(withDiff, 'Hidden')[0]?.diff, 'no diff for diff: false');
  t.notMatch(withDiff.stdout, /private text/);
  const plain = await runCli([pb, '-i', INV, '--json', '--check']);
  t.match(results(plain, 'Shown')[0]?.diff, [{ patch: /\+public text/ }], 'diff: true without --diff');
  t.notOk(results(plain, 'Hidden')[0]?.diff);
});

t.test('environment: templated values exported for the task, locally and over SSH; secrets masked', async (t) => {
  const dir = tmp();
  const inv = join(dir, 'hosts.yaml');
  writeFileSync(
    inv,
    `all:
  vars:
    secret_vars: [token]
    token: tok-5d1e9a
  hosts:
    local1:
      lbrun_connection: local
    remote1:
      lbrun_host: ${ADDR}
      lbrun_port: ${sshd.port}
      lbrun_ssh_key: ${sshd.clientKey}
      lbrun_known_hosts: ${sshd.knownHosts}
`,
  );
  const pb = join(dir, 'pb.yaml');
  writeFileSync(
    pb,
    `- hosts: all
  environment:
    IGNORED: play-level environment is not a play key
  tasks: []
`,
  );
  const badPlay = await runCli(['validate', pb, '-i', inv]);
  t.equal(badPlay.code, 3, 'environment on a play is refused at its line');
  t.match(badPlay.stderr, /pb\.yaml:2:3: /);
  writeFileSync(
    pb,
    `- hosts: all
  tasks:
    - name: Env
      command: "sh -c 'echo \\"$GREETING|$NUM|$FLAG|$QUOTED|$TOKEN\\" > ${dir}/env-{{ inventory_hostname }}'"
      environment:
        GREETING: "hello {{ inventory_hostname }}"
        NUM: 3
        FLAG: true
        QUOTED: "it's \\"quoted\\" $HOME"
        TOKEN: "{{ token }}"
    - name: Leaks the token
      command: "sh -c 'echo token is $TOKEN; exit 1'"
      environment:
        TOKEN: "{{ token }}"
    - name: Gone after the task
      command: "sh -c 'test -z \\"$GREETING\\"'"
`,
  );
  const r = await runCli([pb, '-i', inv, '--json', '-v']);
  t.equal(r.code, 2, r.stderr);
  for (const h of ['local1', 'remote1']) {
    t.equal(readFileSync(join(dir, `env-${h}`), 'utf8'), `hello ${h}|3|True|it's "quoted" $HOME|tok-5d1e9a\n`, `${h}: values exported as written, quoted safely`);
  }
  t.match(results(r, 'Leaks the token'), [{ status: 'failed' }, { status: 'failed' }]);
  t.notMatch(r.stdout + r.stderr, /tok-5d1e9a/, 'the secret value never appears in any output');
  t.match(r.stdout, /token is \*{8}/, "the command's output shows the mask");
  t.same(
    results(r, 'Gone after the task').map((e) => e.status),
    [],
    'the failing task ended both hosts before',
  );
  const remote = r.events.find((e) => e.event === 'host_result' && e.host === 'remote1' && e.task === 'Env');
  t.match(remote, { status: 'changed' });
});

t.test('environment is only for its task', async (t) => {
  const dir = tmp();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(pb, `- hosts: h1\n  tasks:\n    - command: "true"\n      environment: { ONLY_HERE: x }\n    - name: Not here\n      command: "sh -c 'test -z \\"$ONLY_HERE\\"'"\n`);
  const r = await runCli([pb, '-i', INV, '--json']);
  t.equal(r.code, 0, r.stdout);
});

t.test('throttle: at most N hosts run the task at once', async (t) => {
  const dir = tmp();
  const pb = join(dir, 'pb.yaml');
  const log = join(dir, 'log');
  writeFileSync(
    pb,
    `- hosts: web
  tasks:
    - name: One at a time
      shell: 'echo "start $(date +%s%N)" >> ${log}; sleep 0.3; echo "end $(date +%s%N)" >> ${log}'
      throttle: 1
`,
  );
  const r = await runCli([pb, '-i', INV, '--json']);
  t.equal(r.code, 0, r.stderr);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  t.equal(lines.length, 8);
  t.same(
    lines.map((l) => l.split(' ')[0]),
    ['start', 'end', 'start', 'end', 'start', 'end', 'start', 'end'],
    'no two hosts overlapped',
  );
  writeFileSync(pb, readFileSync(pb, 'utf8').replace('throttle: 1', 'throttle: 0'));
  const bad = await runCli(['validate', pb, '-i', INV]);
  t.equal(bad.code, 3);
  t.match(bad.stderr, /pb\.yaml:5:17: .*throttle/);
});

t.test('--start-at-task: the tasks before it are passed over; an unknown name exits 3', async (t) => {
  const dir = tmp();
  const pb = join(dir, 'pb.yaml');
  writeFileSync(
    pb,
    `- hosts: h1
  tasks:
    - name: first
      debug: { msg: one }
    - block:
        - name: second
          debug: { msg: two }
        - name: third step
          debug: { msg: three }
- hosts: h2
  tasks:
    - name: fourth
      debug: { msg: four }
`,
  );
  const started = (r: { events: Array<Record<string, unknown>> }) => r.events.filter((e) => e.event === 'task_start').map((e) => e.task);
  const r = await runCli([pb, '-i', INV, '--json', '--start-at-task', 'second']);
  t.equal(r.code, 0, r.stderr);
  t.same(started(r), ['second', 'third step', 'fourth']);
  t.same(started(await runCli([pb, '-i', INV, '--json', '--start-at-task', 'thi*'])), ['third step', 'fourth'], 'shell patterns');
  t.same(started(await runCli([pb, '-i', INV, '--json', '--start-at-task', 'fourth'])), ['fourth'], 'a task of a later play');
  const none = await runCli([pb, '-i', INV, '--start-at-task', 'fifth']);
  t.equal(none.code, 3);
  t.match(none.stderr, /--start-at-task 'fifth': no task of that name/);
  t.notMatch(none.stdout, /PLAY/, 'no host was touched');
  t.match(recap(r).h1, { ok: 2 });
});
