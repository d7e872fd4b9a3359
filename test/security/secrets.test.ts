/**
 * A canary secret (marked by secret_vars, and the become password) never appears in human output
 * (-v, --diff), --json events, --check --diff, error messages (task errors, fail, and input errors
 * raised while validating), nor in the process list (sampled with `ps -eo args` all through the
 * run: the sshd is local, so this sees both the controller's and the host's processes). The run
 * really used both: the files on the host hold the secret, and become made the tasks run as root.
 * The canary is random per run and passed through the environment (LBRUN_*), never argv. (A task
 * that itself puts a secret into a command's arguments shows it to `ps` on the host, as with any
 * tool: read secrets from files or stdin instead. These tasks read it back from the files.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const CANARY = `cnry-${randomBytes(6).toString('hex')}`;
const BECOME_CANARY = `bcm-${randomBytes(6).toString('hex')}`;
const USER = 'lbrun-canary';

const sshd = await startSshd();
execFileSync('sh', ['-c', `id ${USER} >/dev/null 2>&1 || useradd -M -s /bin/sh ${USER}`]);
execFileSync('chpasswd', [], { input: `${USER}:${BECOME_CANARY}\n` });
writeFileSync(`/etc/sudoers.d/${USER}`, `${USER} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
t.teardown(async () => {
  await sshd.stop();
  rmSync(`/etc/sudoers.d/${USER}`, { force: true });
  execFileSync('sh', ['-c', `userdel ${USER} 2>/dev/null || true`]);
});

const dir = sshd.dir;
writeFileSync(join(dir, 'secret.conf.mustache'), 'user app\npassword {{ api_token }}\n');
const inventory = join(dir, 'inventory.yaml');
writeFileSync(
  inventory,
  `all:\n  hosts:\n    target: { lbrun_host: ${sshd.address}, lbrun_port: ${sshd.port}, lbrun_user: ${USER}, lbrun_become: true, lbrun_ssh_key: ${sshd.clientKey}, lbrun_known_hosts: ${sshd.knownHosts} }\n`,
);
const playbook = join(dir, 'secrets.yaml');
writeFileSync(
  playbook,
  `- name: Secrets
  hosts: all
  vars:
    secret_vars: [api_token]
    api_token: "{{ env.LBRUN_TEST_API_TOKEN }}"
  tasks:
    - name: Who am I
      command: id -u
      register: who
    - name: Show it
      debug: { msg: "uid {{ who.stdout }} token {{ api_token }}" }
      when: not lbrun_check_mode
    - name: Write the secret config
      template: { src: ${dir}/secret.conf.mustache, dest: ${dir}/secret.conf, mode: "0600" }
    - name: Copy with the token
      copy: { content: "token={{ api_token }}\\n", dest: ${dir}/copy.conf, mode: "0600" }
    - name: Read it back
      command: cat ${dir}/copy.conf
      register: echoed
    - name: Slow task (the process list is sampled meanwhile)
      command: sleep 2
    - name: Fail with it on stderr
      shell: "cat ${dir}/secret.conf >&2; exit 3"
      ignore_errors: true
    - name: Fail mentioning it
      fail: { msg: "bad token {{ api_token }}" }
`,
);
const env = { LBRUN_TEST_API_TOKEN: CANARY, LBRUN_BECOME_PASSWORD: BECOME_CANARY };

/** Run the CLI while sampling the whole process list every 20 ms. */
async function runSampled(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ r: CliResult; samples: number; leaked: string[] }> {
  let samples = 0;
  const leaked: string[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      const out = await new Promise<string>((res) => {
        const ps = spawn('ps', ['-eo', 'args'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let s = '';
        ps.stdout.on('data', (d: Buffer) => (s += d.toString()));
        ps.on('close', () => res(s));
      });
      samples++;
      for (const line of out.split('\n')) if (line.includes(CANARY) || line.includes(BECOME_CANARY)) leaked.push(line);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();
  const r = await runCli(args, { env: { ...env, ...extraEnv } });
  running = false;
  await sampler;
  return { r, samples, leaked };
}

const figures = { runs: 0, psSamples: 0, leaks: 0, masked: 0 };

function noCanary(t: Test, what: string, text: string): void {
  const leaks = [CANARY, BECOME_CANARY].filter((c) => text.includes(c)).length;
  figures.leaks += leaks;
  t.equal(leaks, 0, `${what}: no canary`);
  figures.masked += text.split('********').length - 1;
}

t.test('human output with -v --diff, and the process list, never show the secrets', async (t) => {
  rmSync(join(dir, 'secret.conf'), { force: true });
  const { r, samples, leaked } = await runSampled([playbook, '-i', inventory, '-v', '--diff']);
  figures.runs++;
  figures.psSamples += samples;
  figures.leaks += leaked.length;
  t.equal(r.code, 2, `the fail task fails the run (exit 2)\n${r.stderr}`);
  noCanary(t, 'stdout', r.stdout);
  noCanary(t, 'stderr', r.stderr);
  t.ok(samples >= 20, `${samples} process-list samples`);
  t.same(leaked.map((l) => l.replaceAll(CANARY, 'CANARY').replaceAll(BECOME_CANARY, 'BECOME_CANARY')), [], 'no process ever had a canary in its arguments');
  t.match(r.stdout, /uid 0 token \*{8}/, 'become worked (uid 0) and the token is masked');
  t.match(r.stdout, /password \*{8}/, 'the diff shows the masked line');
  t.equal(readFileSync(join(dir, 'secret.conf'), 'utf8'), `user app\npassword ${CANARY}\n`, 'the host file holds the real secret');
  t.equal(statSync(join(dir, 'secret.conf')).mode & 0o777, 0o600, 'written 0600');
  t.equal(statSync(join(dir, 'copy.conf')).mode & 0o777, 0o600, 'written 0600');
});

t.test('--json --diff events never show the secrets', async (t) => {
  rmSync(join(dir, 'copy.conf'), { force: true });
  const r = await runCli([playbook, '-i', inventory, '--json', '--diff'], { env });
  figures.runs++;
  t.equal(r.code, 2, r.stderr);
  t.ok(r.events.length > 5, `${r.events.length} events`);
  noCanary(t, 'events', r.stdout);
  noCanary(t, 'stderr', r.stderr);
  const copy = r.events.find((e) => e.event === 'host_result' && e.task === 'Copy with the token');
  t.match(JSON.stringify(copy?.diff), /token=\*{8}/, 'the copy diff is there, masked');
});

t.test('a rotated secret: --check --diff shows neither the new nor the old value', async (t) => {
  const NEW = `cnry-${randomBytes(6).toString('hex')}`;
  const r = await runCli([playbook, '-i', inventory, '--check', '--diff'], { env: { ...env, LBRUN_TEST_API_TOKEN: NEW } });
  figures.runs++;
  noCanary(t, 'stdout (old value)', r.stdout);
  t.notOk(r.stdout.includes(NEW), 'stdout: not the new value');
  t.match(r.stdout, /secret\.conf/, 'the template would change');
});

t.test('input errors raised while validating do not show the secret', async (t) => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    `- hosts: all\n  vars:\n    secret_vars: [api_token]\n    api_token: "{{ env.LBRUN_TEST_API_TOKEN }}"\n  tasks:\n    - name: Compare\n      debug: { msg: hi }\n      when: int(api_token) > 0\n`,
  );
  const r = await runCli([bad, '-i', inventory], { env });
  figures.runs++;
  t.equal(r.code, 3, r.stderr);
  t.match(r.stderr, /int\(\) cannot convert/, 'the error is about the value');
  noCanary(t, 'stderr', r.stderr);
});

t.test('figures', async (t) => {
  t.comment(`FIGURE secret_runs=${figures.runs} ps_samples=${figures.psSamples} masked_occurrences=${figures.masked} canary_leaks=${figures.leaks}`);
  t.equal(figures.leaks, 0);
});
