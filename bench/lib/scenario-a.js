/**
 * Scenario A, the product: playbooks/site.yaml on lb-01..03 with lbrun, and bench/ansible/site.yml
 * with ansible-playbook, on the same hosts in the same run. Cold (hosts re-created before each run),
 * converged re-run, and --check --diff on converged hosts; the floor (bench/lib/floor.js) beside them. After each tool's cold run the hosts'
 * fingerprints (config hashes, modes, packages, units, sysctl) are taken and compared.
 */
import { join } from 'node:path';
import { writeAnsibleInventory } from './lab-inventory.js';
import { compareFingerprints, ensureLab, fingerprints, freshHosts, holdLab, releaseLab } from './lab.js';
import { labHosts, measureFloor } from './floor.js';
import { sumStats } from './stats.js';
import { ROOT, runAnsible, runLbrun } from './tools.js';

const SITE = join(ROOT, 'playbooks', 'site.yaml');
const INVENTORY = join(ROOT, 'inventory', 'lab.yaml');
const ANSIBLE_SITE = join(ROOT, 'bench', 'ansible', 'site.yml');

function check(r, what, want) {
  if (r.failure) throw new Error(`${what}: ${r.failure}`);
  if (r.counts.hosts !== 3) throw new Error(`${what}: recap has ${r.counts.hosts} hosts, expected 3`);
  if (want.converged && r.counts.changed !== 0) throw new Error(`${what}: a run on converged hosts changed ${r.counts.changed} tasks`);
  if (want.cold && r.counts.changed === 0) throw new Error(`${what}: a cold run changed nothing`);
}

/**
 * @param {{ runs: number, coldRuns: number, ansibleTimeoutMs: number, resultsDir: string, log: (s: string) => void }} o
 */
export async function scenarioA(o) {
  const { log } = o;
  await holdLab(log);
  log('scenario A: the lab (lb-01..03)');
  await ensureLab();
  const inv = await writeAnsibleInventory({ playbook: SITE, inventory: INVENTORY, out: join(o.resultsDir, 'lab-ansible-inventory.yaml') });
  const lb = (extra = {}) => runLbrun(SITE, INVENTORY, { rss: true, ...extra });
  const an = (extra = {}) => runAnsible(ANSIBLE_SITE, join(o.resultsDir, 'lab-ansible-inventory.yaml'), { forks: 5, knownHosts: inv.knownHosts, timeoutMs: o.ansibleTimeoutMs, ...extra });
  const out = {
    lbrun: { cold: [], converged: [], check: [], rssKiB: [], results: [], stats: [] },
    ansible: { cold: [], converged: [], check: [], stock: [] },
    equivalence: [],
    resetMs: [],
  };
  let converged = true;
  try {
    for (let i = 0; i < o.coldRuns; i++) {
      converged = false;
      out.resetMs.push(await freshHosts());
      const r = await lb();
      check(r, 'lbrun cold run', { cold: true });
      out.lbrun.cold.push(r.ms);
      log(`  lbrun cold        ${Math.round(r.ms)} ms`);
      const lbPrint = await fingerprints();
      out.resetMs.push(await freshHosts());
      const a = await an();
      check(a, 'ansible cold run', { cold: true });
      out.ansible.cold.push(a.ms);
      log(`  ansible cold      ${Math.round(a.ms)} ms`);
      const anPrint = await fingerprints();
      out.fingerprint = lbPrint;
      out.equivalence.push(...compareFingerprints(lbPrint, anPrint).map((d) => `cold run ${i + 1}: ${d}`));
    }
    if (out.equivalence.length) log(`  DIFFERENT hosts:\n    ${out.equivalence.slice(0, 10).join('\n    ')}`);

    // converged: the hosts are as the last run left them; lbrun's first run must change nothing,
    // also after an ansible cold run (the other half of the equivalence proof)
    const first = await lb();
    if (first.failure) throw new Error(`lbrun after the cold runs: ${first.failure}`);
    converged = true;
    if (first.counts.changed !== 0) out.equivalence.push(`lbrun changed ${first.counts.changed} tasks on hosts ansible had converged`);
    for (let i = 0; i < o.runs; i++) {
      const r = i === 0 && first.counts.changed === 0 ? first : await lb();
      check(r, 'lbrun converged run', { converged: true });
      out.lbrun.converged.push(r.ms);
      out.lbrun.rssKiB.push(r.rssKiB);
      out.lbrun.results.push(...r.results.map((e) => e.duration_ms));
      out.lbrun.stats.push({ ...sumStats(r.stats), results: r.results.length });
      const a = await an();
      check(a, 'ansible converged run', { converged: true });
      out.ansible.converged.push(a.ms);
      log(`  converged         lbrun ${Math.round(r.ms)} ms, ansible ${Math.round(a.ms)} ms`);
    }
    // for reference: ansible as shipped (facts gathered, no pipelining), as most playbooks run
    for (let i = 0; i < Math.min(o.runs, 3); i++) {
      const a = await an({ stock: true });
      check(a, 'ansible converged run as shipped', { converged: true });
      out.ansible.stock.push(a.ms);
      log(`  converged, ansible as shipped ${Math.round(a.ms)} ms`);
    }
    for (let i = 0; i < o.runs; i++) {
      const r = await lb({ check: true, extra: ['--diff'] });
      check(r, 'lbrun --check --diff run', { converged: true });
      out.lbrun.check.push(r.ms);
      const a = await an({ check: true, diff: true });
      check(a, 'ansible --check --diff run', { converged: true });
      out.ansible.check.push(a.ms);
      log(`  --check --diff    lbrun ${Math.round(r.ms)} ms, ansible ${Math.round(a.ms)} ms`);
    }
    // the floor: one round trip per task per host, the hosts one after the other (serial 1)
    const perHost = Math.max(1, Math.round((out.lbrun.stats[0]?.results ?? 3) / 3));
    out.floor = await measureFloor({ hosts: await labHosts(SITE, INVENTORY, inv.hosts), rounds: perHost, serial: true, runs: o.runs });
    log(`  floor (node + handshakes + ${perHost} round trips per host, hosts in turn) ${Math.round(out.floor.medianMs)} ms`);
  } finally {
    // leave the lab converged for the other engineers' tests, whatever happened above
    if (!converged) {
      log('  converging the lab again with lbrun');
      const r = await lb();
      if (r.failure) log(`  could not converge the lab: ${r.failure}`);
    }
    releaseLab();
  }
  return out;
}
