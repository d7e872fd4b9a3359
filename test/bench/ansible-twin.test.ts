/**
 * Scenario A's Ansible twin (bench/ansible/site.yml and roles) against lbrun's roles, offline: the
 * same tasks in the same order, the same handlers, and every template lbrun writes rendered by
 * ansible-playbook 2.14 from the twin's Jinja copy, byte for byte equal to `lbrun render`'s, from
 * the inventory the bench writes (bench/lib/lab-inventory.js). The nodes' facts (which the bench
 * runs gather) are declared: as host_vars for lbrun, as hostvars for Ansible.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

const NODES: Record<string, string> = { 'lb-01': '10.213.0.11', 'lb-02': '10.213.0.12', 'lb-03': '10.213.0.13' };
const ROLES = ['common', 'haproxy', 'keepalived'];
/** Tasks only the twin has, each with the reason (docs/benchmark.md, Scenario A). */
const TWIN_ONLY: Record<string, string> = {
  'Gather the network facts keepalived.conf reads (this node; the peers with unicast VRRP)': 'lbrun gathers facts when first read',
};
/** lbrun's task -> the twin's tasks doing its work (ansible.posix.sysctl is not in ansible-core). */
const SPLIT: Record<string, string[]> = {
  'Set kernel parameters': ['Set kernel parameters (file)', 'Set kernel parameters (running kernel)'],
};

type Task = Record<string, unknown> & { name?: string; block?: Task[]; rescue?: Task[]; always?: Task[] };

function names(tasks: Task[]): string[] {
  return tasks.flatMap((x) => [x.name ?? '?', ...names(x.block ?? []), ...names(x.rescue ?? []), ...names(x.always ?? [])]);
}

function flat(tasks: Task[]): Task[] {
  return tasks.flatMap((x) => [x, ...flat(x.block ?? []), ...flat(x.rescue ?? []), ...flat(x.always ?? [])]);
}

const readYaml = (p: string) => parse(readFileSync(join(REPO_ROOT, p), 'utf8')) as Task[];
const lbTasks = (role: string) => readYaml(`roles/${role}/tasks.yaml`);
const anTasks = (role: string) => readYaml(`bench/ansible/roles/${role}/tasks/main.yml`);

t.test('the twin has lbrun\'s tasks in lbrun\'s order (plus the documented differences)', async (t) => {
  for (const role of ROLES) {
    const want = names(lbTasks(role)).flatMap((n) => SPLIT[n] ?? [n]);
    const got = names(anTasks(role)).filter((n) => !(n in TWIN_ONLY));
    t.same(got, want, `roles/${role}`);
  }
  for (const role of ['haproxy', 'keepalived']) {
    t.same(names(readYaml(`bench/ansible/roles/${role}/handlers/main.yml`)), names(readYaml(`roles/${role}/handlers.yaml`)), `${role} handlers`);
  }
});

t.test('every task keeps its module, its gate settings and its conditions\' shape', async (t) => {
  const MODULE_TWIN: Record<string, string> = { service: 'systemd', sysctl: 'lineinfile' };
  const KEYS = ['register', 'notify', 'until', 'retries', 'delay', 'delegate_to', 'check_mode', 'changed_when', 'failed_when', 'when', 'loop'];
  for (const role of ROLES) {
    const an = new Map(flat(anTasks(role)).map((x) => [x.name, x]));
    for (const lb of flat(lbTasks(role))) {
      const twin = an.get((SPLIT[lb.name ?? ''] ?? [lb.name])[0]);
      if (!twin) continue; // the order test names it
      const mod = Object.keys(lb).find((k) => !['name', ...KEYS, 'block', 'rescue', 'always', 'tags'].includes(k));
      if (mod && mod !== 'block') t.ok(mod in twin || MODULE_TWIN[mod] in twin, `${role}: "${lb.name}" uses ${mod} (or its twin)`);
      for (const k of ['register', 'notify', 'retries', 'delay', 'delegate_to', 'check_mode']) {
        t.same(twin[k], lb[k], `${role}: "${lb.name}" ${k}`);
      }
      for (const k of ['until', 'changed_when', 'failed_when', 'when', 'loop']) t.equal(k in twin, k in lb, `${role}: "${lb.name}" has ${k} as lbrun's`);
    }
  }
});

t.test('ansible-playbook renders every template lbrun writes, byte for byte', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-twin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // lbrun: the lab inventory with the nodes' facts as host_vars
  mkdirSync(join(dir, 'inv', 'host_vars'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'inventory/lab.yaml'), join(dir, 'inv', 'lab.yaml'));
  const facts = (host: string) => ({ interface: 'eth0', address: NODES[host] });
  for (const host of Object.keys(NODES)) {
    writeFileSync(join(dir, 'inv', 'host_vars', `${host}.yaml`), `ansible_default_ipv4: ${JSON.stringify(facts(host))}\n`);
  }
  const env = { LBRUN_VRRP_AUTH_PASS: undefined };
  const lb = await runCli(['render', 'playbooks/site.yaml', '-i', join(dir, 'inv', 'lab.yaml'), '--out', join(dir, 'lb')], { env });
  t.equal(lb.code, 0, `lbrun render (stderr: ${lb.stderr.slice(-2000)})`);

  // Ansible: the bench's inventory (from lbrun's resolution of inventory/lab.yaml), plus the facts
  const made = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import { writeAnsibleInventory } from './bench/lib/lab-inventory.js';
      const r = await writeAnsibleInventory({ playbook: 'playbooks/site.yaml', inventory: 'inventory/lab.yaml', out: ${JSON.stringify(join(dir, 'inv.json'))} });
      console.log(JSON.stringify(r.factVars));`],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, LBRUN_VRRP_AUTH_PASS: '' } },
  );
  t.equal(made.status, 0, `lab-inventory (stderr: ${made.stderr})`);
  t.same(JSON.parse(made.stdout), ['keepalived_interface', 'keepalived_unicast_src_ip', 'keepalived_unicast_peers'], 'the variables left to the facts');
  const inv = JSON.parse(readFileSync(join(dir, 'inv.json'), 'utf8'));
  for (const [host, vars] of Object.entries(inv.all.children.loadbalancers.hosts as Record<string, Record<string, unknown>>)) {
    vars.ansible_default_ipv4 = facts(host);
  }
  writeFileSync(join(dir, 'inv.json'), JSON.stringify(inv));

  // every template task of the twin, rendered to its dest under an/HOST
  const templates = ROLES.flatMap((role) =>
    flat(anTasks(role))
      .filter((x) => x.template)
      .map((x) => ({ ...(x.template as { src: string; dest: string }), role })),
  );
  const lbDests = ROLES.flatMap((role) => flat(lbTasks(role)).filter((x) => x.template).map((x) => (x.template as { dest: string }).dest));
  t.same(templates.map((x) => x.dest), lbDests, 'a twin template task for every lbrun template task, same dest, same order');
  const play = [
    {
      hosts: 'loadbalancers',
      gather_facts: false,
      connection: 'local',
      vars_files: [join(REPO_ROOT, 'bench/ansible/roles/keepalived/defaults/main.yml')],
      tasks: templates.map((x) => ({
        name: x.dest,
        template: { src: join(REPO_ROOT, 'bench/ansible/roles', x.role, 'templates', x.src), dest: `${dir}/an/{{ inventory_hostname }}${x.dest}` },
      })),
    },
  ];
  const pre = { name: 'dirs', file: { path: `${dir}/an/{{ inventory_hostname }}/{{ item }}`, state: 'directory' }, loop: [...new Set(templates.map((x) => x.dest.replace(/\/[^/]+$/, '')))] };
  (play[0].tasks as unknown[]).unshift(pre);
  writeFileSync(join(dir, 'render.yml'), JSON.stringify(play));
  const an = spawnSync('ansible-playbook', ['-i', join(dir, 'inv.json'), join(dir, 'render.yml')], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'False' },
  });
  t.equal(an.status, 0, an.status === 0 ? 'ansible-playbook rendered the twin templates' : `ansible-playbook: ${an.stdout.slice(-3000)}${an.stderr.slice(-1000)}`);

  for (const host of Object.keys(NODES)) {
    for (const dest of lbDests) {
      const a = join(dir, 'lb', host, dest);
      const b = join(dir, 'an', host, dest);
      if (!existsSync(a) || !existsSync(b)) {
        t.fail(`${host} ${dest}: rendered by ${existsSync(a) ? 'lbrun only' : existsSync(b) ? 'ansible only' : 'neither'}`);
        continue;
      }
      t.equal(readFileSync(b, 'utf8'), readFileSync(a, 'utf8'), `${host} ${dest}`);
    }
  }
});
