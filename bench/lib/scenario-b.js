/**
 * Scenario B, scale: N loopback sshd, the 10-task playbook of bench/scale/ with lbrun and its twin
 * bench/ansible/scale.yml with ansible-playbook, both with forks = N. Cold (empty folders) and
 * converged figures, lbrun's peak RSS, and the trees both tools leave compared file by file.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_PORT, WORK_ROOT, startFleet } from './fleet.js';
import { compareSnapshots, snapshotTree } from './snapshot.js';
import { ROOT, runAnsible, runLbrun } from './tools.js';

const LBRUN_PLAYBOOK = join(ROOT, 'bench', 'scale', 'scale.yaml');
const ANSIBLE_PLAYBOOK = join(ROOT, 'bench', 'ansible', 'scale.yml');
export const SCALE_TASKS = 10;

const commonVars = {
  bench_port: 8080,
  bench_workers: 4,
  bench_tls: true,
  bench_peers: [
    { name: 'alpha', address: '127.0.0.1', port: 9001 },
    { name: 'beta', address: '127.0.0.1', port: 9002 },
    { name: 'gamma', address: '127.0.0.1', port: 9003 },
  ],
};

function writeInventories(dir, fleet) {
  mkdirSync(dir, { recursive: true });
  const lbrun = {
    all: {
      vars: { lbrun_user: fleet.user, lbrun_port: FLEET_PORT, lbrun_ssh_key: fleet.clientKey, lbrun_known_hosts: fleet.knownHosts, ...commonVars },
      hosts: Object.fromEntries(fleet.hosts.map((h) => [h.name, { lbrun_host: h.address, bench_address: h.address }])),
    },
  };
  const ansible = {
    all: {
      vars: { ansible_user: fleet.user, ansible_port: FLEET_PORT, ansible_ssh_private_key_file: fleet.clientKey, ...commonVars },
      hosts: Object.fromEntries(fleet.hosts.map((h) => [h.name, { ansible_host: h.address, bench_address: h.address }])),
    },
  };
  const files = { lbrun: join(dir, 'lbrun-inventory.yaml'), ansible: join(dir, 'ansible-inventory.yaml') };
  writeFileSync(files.lbrun, `${JSON.stringify(lbrun, null, 1)}\n`);
  writeFileSync(files.ansible, `${JSON.stringify(ansible, null, 1)}\n`);
  return files;
}

function check(r, what, want) {
  if (r.failure) throw new Error(`${what}: ${r.failure}`);
  if (r.counts.hosts !== want.hosts) throw new Error(`${what}: recap has ${r.counts.hosts} hosts, expected ${want.hosts}`);
  if (want.converged && r.counts.changed !== 0) throw new Error(`${what}: a converged run changed ${r.counts.changed} tasks`);
  if (want.cold && r.counts.changed === 0) throw new Error(`${what}: a cold run changed nothing`);
}

/**
 * @param {{ n: number, runs: number, ansibleRuns: number, resultsDir: string, log: (s: string) => void }} o
 */
export async function scenarioB(o) {
  const { n, log } = o;
  log(`scenario B, N=${n}: starting ${n} sshd on 127.77.x.y:${FLEET_PORT}`);
  const fleet = await startFleet(n);
  const out = { n, lbrun: { cold: [], converged: [], rssKiB: [], results: [], stats: [] }, ansible: { cold: [], converged: [] }, equivalence: [] };
  try {
    const inv = writeInventories(join(o.resultsDir, `scale-${n}`), fleet);
    const lb = (extra = {}) => runLbrun(LBRUN_PLAYBOOK, inv.lbrun, { forks: n, rss: true, ...extra });
    const an = () => runAnsible(ANSIBLE_PLAYBOOK, inv.ansible, { forks: n, knownHosts: fleet.knownHosts });
    const want = { hosts: n };

    // cold: empty folders before each run; the trees of both tools' last cold runs are compared
    let lbTree;
    let anTree;
    for (let i = 0; i < Math.max(o.runs, o.ansibleRuns); i++) {
      if (i < o.runs) {
        rmSync(WORK_ROOT, { recursive: true, force: true });
        const r = await lb();
        check(r, `lbrun cold run (N=${n})`, { ...want, cold: true });
        out.lbrun.cold.push(r.ms);
        out.lbrun.rssKiB.push(r.rssKiB);
        lbTree = snapshotTree(WORK_ROOT);
        log(`  lbrun cold      ${Math.round(r.ms)} ms, ${Math.round(r.rssKiB / 1024)} MB`);
      }
      if (i < o.ansibleRuns) {
        rmSync(WORK_ROOT, { recursive: true, force: true });
        const a = await an();
        check(a, `ansible cold run (N=${n})`, { ...want, cold: true });
        out.ansible.cold.push(a.ms);
        anTree = snapshotTree(WORK_ROOT);
        log(`  ansible cold    ${Math.round(a.ms)} ms`);
      }
    }
    out.equivalence = compareSnapshots(lbTree, anTree);
    out.files = Object.keys(lbTree).length;
    if (out.equivalence.length) log(`  DIFFERENT trees:\n    ${out.equivalence.slice(0, 10).join('\n    ')}`);

    // converged: the last cold run left everything in place; each tool must now change nothing
    for (let i = 0; i < Math.max(o.runs, o.ansibleRuns); i++) {
      if (i < o.runs) {
        const r = await lb();
        check(r, `lbrun converged run (N=${n})`, { ...want, converged: true });
        out.lbrun.converged.push(r.ms);
        out.lbrun.rssKiB.push(r.rssKiB);
        out.lbrun.results.push(...r.results.map((e) => e.duration_ms));
        out.lbrun.stats.push({ ...sumStats(r.stats), results: r.results.length });
        log(`  lbrun converged ${Math.round(r.ms)} ms, ${Math.round(r.rssKiB / 1024)} MB`);
      }
      if (i < o.ansibleRuns) {
        const a = await an();
        check(a, `ansible converged run (N=${n})`, { ...want, converged: true });
        out.ansible.converged.push(a.ms);
        log(`  ansible converged ${Math.round(a.ms)} ms`);
      }
    }
  } finally {
    await fleet.stop();
    rmSync(WORK_ROOT, { recursive: true, force: true });
  }
  return out;
}

export function sumStats(stats) {
  const t = { commands: 0, puts: 0, bytesOut: 0 };
  for (const s of Object.values(stats ?? {})) {
    t.commands += s.commands;
    t.puts += s.puts;
    t.bytesOut += s.bytesOut;
  }
  return t;
}
