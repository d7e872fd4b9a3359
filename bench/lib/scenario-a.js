/**
 * Scenario A, the product: playbooks/site.yaml on lb-01..03 with lbrun, and bench/ansible/site.yml
 * with ansible-playbook, on the same hosts in the same run. Cold (hosts re-created before each run),
 * converged re-run, and --check --diff on converged hosts; the floor (bench/lib/floor.js) beside them. After each tool's cold run the hosts'
 * fingerprints (every file the roles write: hashes, modes, owners; packages, units, the VIP holder,
 * sysctl; bench/lib/lab.js) are taken and compared.
 */
import { join } from 'node:path';
import { writeAnsibleInventory } from './lab-inventory.js';
import { FINGERPRINT_PATHS, compareFingerprints, ensureLab, fingerprints, freshHosts, holdLab, releaseLab } from './lab.js';
import { labHosts, measureFloor } from './floor.js';
import { check, convergedRuns } from './runs.js';
import { ROOT, runAnsible, runLbrun } from './tools.js';

const SITE = join(ROOT, 'playbooks', 'site.yaml');
const INVENTORY = join(ROOT, 'inventory', 'lab.yaml');
const ANSIBLE_SITE = join(ROOT, 'bench', 'ansible', 'site.yml');

/**
 * @param {{ runs: number, coldRuns: number, ansibleTimeoutMs: number, resultsDir: string, log: (s: string) => void }} o
 */
export async function scenarioA(o) {
  const { log } = o;
  await holdLab(log);
  log('scenario A: the lab (lb-01..03)');
  await ensureLab();
  const inv = await writeAnsibleInventory({ playbook: SITE, inventory: INVENTORY, out: join(o.resultsDir, 'lab-ansible-inventory.yaml') });
  if (inv.factVars.length) log(`  from the nodes' facts (both tools gather them): ${inv.factVars.join(', ')}`);
  const lb = (extra = {}) => runLbrun(SITE, INVENTORY, { rss: true, ...extra });
  const an = (extra = {}) => runAnsible(ANSIBLE_SITE, join(o.resultsDir, 'lab-ansible-inventory.yaml'), { forks: 5, knownHosts: inv.knownHosts, timeoutMs: o.ansibleTimeoutMs, ...extra });
  const out = {
    lbrun: { cold: [], converged: [], check: [], rssKiB: [], results: [], stats: [] },
    ansible: { cold: [], converged: [], check: [], stock: [] },
    equivalence: [],
    fingerprintPaths: FINGERPRINT_PATHS.length,
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
    await convergedRuns({ runs: o.runs, lb, an, out, log, first });
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
