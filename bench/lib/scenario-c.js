/**
 * Scenario C, a plain play: bench/plain/plain.yaml (five tasks, no serial: apt of three packages,
 * two templates, two services) on lb-01..03 with lbrun, and bench/ansible/plain.yml with
 * ansible-playbook tuned (pipelining, ControlPersist, no fact gathering) and as shipped, in the same
 * run; converged and `--check --diff` runs, and the floor (bench/lib/floor.js) measured beside them.
 * Equivalence: on hosts lbrun converged, ansible changes nothing, and the other way round.
 */
import { join } from 'node:path';
import { labHosts, measureFloor } from './floor.js';
import { writeAnsibleInventory } from './lab-inventory.js';
import { ensureLab, freshHosts, holdLab, releaseLab } from './lab.js';
import { convergedRuns } from './runs.js';
import { ROOT, runAnsible, runLbrun } from './tools.js';

const SITE = join(ROOT, 'playbooks', 'site.yaml');
const PLAIN = join(ROOT, 'bench', 'plain', 'plain.yaml');
const INVENTORY = join(ROOT, 'inventory', 'lab.yaml');
const ANSIBLE_PLAIN = join(ROOT, 'bench', 'ansible', 'plain.yml');

/**
 * @param {{ runs: number, ansibleTimeoutMs: number, resultsDir: string, log: (s: string) => void }} o
 */
export async function scenarioC(o) {
  const { log } = o;
  await holdLab(log);
  log('scenario C: a plain play of 5 tasks on the lab (lb-01..03)');
  const out = {
    lbrun: { converged: [], check: [], rssKiB: [], results: [], stats: [] },
    ansible: { converged: [], check: [], stock: [] },
    equivalence: [],
  };
  try {
    await ensureLab();
    // the lab as site.yaml makes it (the packages and units the play expects); hosts another run
    // left in another state (a VRRP password, a half roll) are made again from the lab's base
    let site = await runLbrun(SITE, INVENTORY);
    if (site.failure) {
      log(`  site.yaml did not converge the lab as it is (${site.failure.split('\n')[0]}): re-creating lb-01..03`);
      await freshHosts();
      site = await runLbrun(SITE, INVENTORY);
    }
    if (site.failure) throw new Error(`lbrun site.yaml before scenario C: ${site.failure}`);
    const invFile = join(o.resultsDir, 'plain-ansible-inventory.yaml');
    const inv = await writeAnsibleInventory({ playbook: PLAIN, inventory: INVENTORY, out: invFile });
    const lb = (extra = {}) => runLbrun(PLAIN, INVENTORY, { rss: true, ...extra });
    const an = (extra = {}) => runAnsible(ANSIBLE_PLAIN, invFile, { forks: 5, knownHosts: inv.knownHosts, timeoutMs: o.ansibleTimeoutMs, ...extra });

    // equivalence: ansible writes its files, lbrun must change nothing; lbrun writes, ansible must not
    const byAnsible = await an();
    if (byAnsible.failure) throw new Error(`ansible converging scenario C: ${byAnsible.failure}`);
    const lbAfter = await lb();
    if (lbAfter.failure) throw new Error(`lbrun after ansible: ${lbAfter.failure}`);
    if (lbAfter.counts.changed !== 0) out.equivalence.push(`lbrun changed ${lbAfter.counts.changed} tasks on hosts ansible converged`);
    const anAfter = await an();
    if (!anAfter.failure && anAfter.counts.changed !== 0) out.equivalence.push(`ansible changed ${anAfter.counts.changed} tasks on hosts lbrun converged`);

    await convergedRuns({ runs: o.runs, lb, an, out, log });
    out.floor = await measureFloor({ hosts: await labHosts(PLAIN, INVENTORY, inv.hosts), rounds: 5, runs: o.runs });
    log(`  floor (node + handshakes + 5 round trips) ${Math.round(out.floor.medianMs)} ms`);
  } finally {
    releaseLab();
  }
  return out;
}
