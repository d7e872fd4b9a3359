/**
 * Scenario B, scale: N loopback sshd, the 10-task playbook of bench/scale/ with lbrun and its twin
 * bench/ansible/scale.yml with ansible-playbook, both with forks = N. Cold (empty folders) and
 * converged figures, lbrun's peak RSS. Equivalence: ansible changes nothing on the tree lbrun
 * made; where ansible's cold run is measured too, both trees are compared file by file and lbrun
 * changes nothing on ansible's tree.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_PORT, WORK_ROOT, startFleet } from './fleet.js';
import { compareSnapshots, snapshotTree } from './snapshot.js';
import { sumStats } from './stats.js';
import { ROOT, runAnsible, runLbrun } from './tools.js';

const LBRUN_PLAYBOOK = join(ROOT, 'bench', 'scale', 'scale.yaml');
const ANSIBLE_PLAYBOOK = join(ROOT, 'bench', 'ansible', 'scale.yml');

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
 * @param {{ n: number, runs: number, ansibleRuns: number, ansibleCold: boolean, ansibleTimeoutMs: number,
 *           resultsDir: string, log: (s: string) => void }} o
 */
export async function scenarioB(o) {
  const { n, log } = o;
  log(`scenario B, N=${n}: starting ${n} sshd on 127.77.x.y:${FLEET_PORT}`);
  const fleet = await startFleet(n);
  const out = {
    n,
    lbrun: { cold: [], converged: [], rssKiB: [], results: [], stats: [] },
    ansible: { cold: [], converged: [], timedOut: { cold: false, converged: false } },
    equivalence: [],
    proofs: [],
  };
  try {
    const inv = writeInventories(join(o.resultsDir, `scale-${n}`), fleet);
    const lb = () => runLbrun(LBRUN_PLAYBOOK, inv.lbrun, { forks: n, rss: true });
    const an = () => runAnsible(ANSIBLE_PLAYBOOK, inv.ansible, { forks: n, knownHosts: fleet.knownHosts, timeoutMs: o.ansibleTimeoutMs });
    const want = { hosts: n };
    /** an ansible run, or its time limit (a lower bound: the table shows ">") */
    const ansibleFigure = async (what, list, wanted) => {
      const a = await an();
      if (a.timedOut) {
        out.ansible.timedOut[what] = true;
        list.push(a.ms);
        log(`  ansible ${what} stopped at the time limit (${Math.round(a.ms / 1000)} s)`);
        return false;
      }
      check(a, `ansible ${what} run (N=${n})`, { ...want, ...wanted });
      list.push(a.ms);
      log(`  ansible ${what.padEnd(9)} ${Math.round(a.ms)} ms`);
      return true;
    };

    for (let i = 0; i < o.runs; i++) {
      rmSync(WORK_ROOT, { recursive: true, force: true });
      const r = await lb();
      check(r, `lbrun cold run (N=${n})`, { ...want, cold: true });
      out.lbrun.cold.push(r.ms);
      out.lbrun.rssKiB.push(r.rssKiB);
      log(`  lbrun cold        ${Math.round(r.ms)} ms, ${Math.round(r.rssKiB / 1024)} MB`);
    }
    const lbTree = snapshotTree(WORK_ROOT);
    out.files = Object.keys(lbTree).length;
    for (let i = 0; i < o.runs; i++) {
      const r = await lb();
      check(r, `lbrun converged run (N=${n})`, { ...want, converged: true });
      out.lbrun.converged.push(r.ms);
      out.lbrun.rssKiB.push(r.rssKiB);
      out.lbrun.results.push(...r.results.map((e) => e.duration_ms));
      out.lbrun.stats.push({ ...sumStats(r.stats), results: r.results.length });
      log(`  lbrun converged   ${Math.round(r.ms)} ms, ${Math.round(r.rssKiB / 1024)} MB`);
    }
    // ansible on the tree lbrun made: a converged run that must change nothing
    let complete = true;
    for (let i = 0; i < o.ansibleRuns && complete; i++) complete = await ansibleFigure('converged', out.ansible.converged, { converged: true });
    if (complete) out.proofs.push('ansible changes nothing on the tree lbrun made');

    if (o.ansibleCold) {
      let coldDone = true;
      for (let i = 0; i < o.ansibleRuns && coldDone; i++) {
        rmSync(WORK_ROOT, { recursive: true, force: true });
        coldDone = await ansibleFigure('cold', out.ansible.cold, { cold: true });
      }
      if (coldDone) {
        out.equivalence.push(...compareSnapshots(lbTree, snapshotTree(WORK_ROOT)));
        if (out.equivalence.length) log(`  DIFFERENT trees:\n    ${out.equivalence.slice(0, 10).join('\n    ')}`);
        else out.proofs.push(`both cold runs leave identical trees (${out.files} paths: types, modes, sha256, link targets)`);
        const r = await lb();
        if (r.failure || r.counts.changed !== 0) out.equivalence.push(`lbrun changed ${r.counts.changed} tasks on the tree ansible made ${r.failure ?? ''}`);
        else out.proofs.push('lbrun changes nothing on the tree ansible made');
      }
    }
  } finally {
    await fleet.stop();
    rmSync(WORK_ROOT, { recursive: true, force: true });
  }
  return out;
}
