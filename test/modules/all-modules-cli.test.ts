// The done-criterion: a playbook using every host module runs against a real sshd on
// loopback from the CLI; a second run reports changed=0; `--check --diff` on a changed template
// prints the diff and leaves the host's file byte-for-byte as it was. (service needs a running
// systemd: it is covered by test/modules/service.test.ts here and by the lab's end-to-end tests.)
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { holdControllerSysctl } from '../support/controller-sysctl.js';
import { startSshd } from '../support/sshd.js';

const run = promisify(execFile);
const ADDR = '127.0.0.15';
const sshd = await startSshd(ADDR, { isolateHostname: true });
const USER = 'lbrun-t-e2e';
const GROUP = 'lbrun-t-e2egrp';
const SYSCTL = 'net.ipv4.ip_nonlocal_bind';
// the controller's sysctl is shared by every test file: hold its lock before reading the value to restore
await holdControllerSysctl();
const sysctlBefore = execFileSync('sysctl', ['-n', SYSCTL]).toString().trim();
const cleanUsers = () => {
  for (const [cmd, name] of [['userdel', USER], ['groupdel', GROUP]] as const) {
    try {
      execFileSync(cmd, [name], { stdio: 'ignore' });
    } catch {
      // not there
    }
  }
};
cleanUsers();
t.teardown(async () => {
  cleanUsers();
  execFileSync('sysctl', ['-w', `${SYSCTL}=${sysctlBefore}`]);
  await sshd.stop();
});

const project = mkdtempSync(join(tmpdir(), 'lbrun-e2e-project-'));
const target = mkdtempSync(join(tmpdir(), 'lbrun-e2e-target-'));
mkdirSync(join(project, 'templates'));
mkdirSync(join(project, 'files'));
writeFileSync(join(project, 'templates', 'app.conf.mustache'), 'listen {{ app_port }}\nname {{ inventory_hostname }}\n');
writeFileSync(join(project, 'files', 'motd'), 'managed by lbrun\n');
writeFileSync(
  join(project, 'hosts.yaml'),
  `all:
  hosts:
    target:
      lbrun_host: ${ADDR}
      lbrun_port: ${sshd.port}
      lbrun_ssh_key: ${sshd.clientKey}
      lbrun_known_hosts: ${sshd.knownHosts}
      lbrun_connect_retries: 0
`,
);
const wantSysctl = sysctlBefore === '1' ? 0 : 1;
writeFileSync(
  join(project, 'site.yaml'),
  `- name: every host module
  hosts: all
  vars: { app_port: 8080, dir: ${target} }
  tasks:
    - name: step 1 apt
      apt: { name: [sudo, openssh-server], state: present }
    - name: step 2 file
      file: { path: "{{ dir }}/etc", state: directory, mode: "0755" }
    - name: step 3 template
      template: { src: app.conf.mustache, dest: "{{ dir }}/etc/app.conf", mode: "0640", validate: "grep -q listen %s", backup: true }
    - name: step 4 copy
      copy: { src: motd, dest: "{{ dir }}/etc/motd" }
    - name: step 5 copy
      copy: { content: "k=v\\n", dest: "{{ dir }}/etc/kv.conf", owner: root, group: root, mode: "0600" }
    - name: step 6 file
      file: { path: "{{ dir }}/current", state: link, src: "{{ dir }}/etc" }
    - name: step 7 file
      file: { path: "{{ dir }}/etc/stamp", state: touch }
    - name: step 8 lineinfile
      lineinfile: { path: "{{ dir }}/etc/lines.conf", regexp: "^k=", line: "k=w", create: true }
    - name: step 9 sysctl
      sysctl: { name: ${SYSCTL}, value: ${wantSysctl}, sysctl_file: "{{ dir }}/etc/sysctl.conf" }
    - name: step 10 group
      group: { name: ${GROUP}, system: true }
    - name: step 11 user
      user: { name: ${USER}, system: true, shell: /usr/sbin/nologin, groups: [${GROUP}] }
    - name: step 12 hostname
      hostname: { name: lb-e2e }
    - name: step 13 command
      command: { argv: [touch, "{{ dir }}/ran-command"], creates: "{{ dir }}/ran-command" }
    - name: step 14 shell
      shell: { cmd: "echo hi > ran-shell", chdir: "{{ dir }}", creates: "{{ dir }}/ran-shell" }
    - name: step 15 wait_for
      wait_for: { host: ${ADDR}, port: ${sshd.port}, timeout: 5 }
`,
);
async function lbrun(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', ['bin/lbrun.js', ...args, '-i', join(project, 'hosts.yaml')], { cwd: process.cwd() });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const recap = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; hosts: Record<string, Record<string, number>> })
    .find((e) => e.event === 'recap')!.hosts.target;

t.test('first run changes, second run reports changed=0 without rewriting files', async (t) => {
  const first = await lbrun(join(project, 'site.yaml'), '--json');
  t.equal(first.code, 0, first.stderr + first.stdout);
  t.match(recap(first.stdout), { changed: 13, failed: 0, unreachable: 0 });
  const app = join(target, 'etc', 'app.conf');
  t.equal(readFileSync(app, 'utf8'), 'listen 8080\nname target\n');
  t.equal(readFileSync(join(target, "etc", "lines.conf"), "utf8"), "k=w\n");
  t.equal(execFileSync('sysctl', ['-n', SYSCTL]).toString().trim(), String(wantSysctl));
  const st = statSync(app);

  const second = await lbrun(join(project, 'site.yaml'), '--json');
  t.equal(second.code, 0, second.stderr);
  const changedTasks = second.stdout.split('\n').filter((l) => l.includes('"status":"changed"'));
  t.same(changedTasks, [], 'no task changed');
  const end = JSON.parse(second.stdout.trim().split('\n').pop()!) as { duration_ms: number; stats?: Record<string, { commands: number }> };
  t.comment(`converged run: 15 tasks, ${end.stats?.target?.commands} commands, ${end.duration_ms} ms`);
  t.match(recap(second.stdout), { changed: 0, failed: 0, ok: 15 });
  t.equal(statSync(app).mtimeMs, st.mtimeMs);
  t.equal(statSync(app).ino, st.ino);
});

t.test('--check --diff on a changed template prints the diff and leaves the file byte-for-byte', async (t) => {
  const app = join(target, 'etc', 'app.conf');
  const bytes = readFileSync(app);
  const st = statSync(app);
  const r = await lbrun(join(project, 'site.yaml'), '--check', '--diff', '-e', 'app_port=9090');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /-listen 8080\n\+listen 9090/);
  t.same(readFileSync(app), bytes);
  t.equal(statSync(app).mtimeMs, st.mtimeMs);
});
