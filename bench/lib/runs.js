/**
 * The timed runs scenarios A and C share, on converged lab hosts: lbrun and ansible-playbook tuned in
 * turn, ansible as shipped for reference, and `--check --diff` of both. Each run's recap is checked
 * before its time counts.
 */
import { sumStats } from './stats.js';

/**
 * Throws when a run failed or its recap is not what the hosts' state calls for.
 * @param {{ failure?: string, counts: { hosts: number, changed: number } }} r
 * @param {string} what
 * @param {{ cold?: boolean, converged?: boolean }} want
 */
export function check(r, what, want) {
  if (r.failure) throw new Error(`${what}: ${r.failure}`);
  if (r.counts.hosts !== 3) throw new Error(`${what}: recap has ${r.counts.hosts} hosts, expected 3`);
  if (want.converged && r.counts.changed !== 0) throw new Error(`${what}: a run on converged hosts changed ${r.counts.changed} tasks`);
  if (want.cold && r.counts.changed === 0) throw new Error(`${what}: a cold run changed nothing`);
}

/**
 * Runs on converged hosts; the figures go into out.lbrun (converged, rssKiB, results, stats, check)
 * and out.ansible (converged, stock, check).
 * @param {{ runs: number, lb: (extra?: object) => Promise<any>, an: (extra?: object) => Promise<any>,
 *   out: { lbrun: Record<string, any[]>, ansible: Record<string, any[]> }, log: (s: string) => void,
 *   first?: any }} o  first: an lbrun run already made on these hosts; it counts as the first
 *   converged run when it changed nothing
 */
export async function convergedRuns({ runs, lb, an, out, log, first }) {
  for (let i = 0; i < runs; i++) {
    const r = i === 0 && first?.counts.changed === 0 ? first : await lb();
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
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const a = await an({ stock: true });
    check(a, 'ansible converged run as shipped', { converged: true });
    out.ansible.stock.push(a.ms);
    log(`  converged, ansible as shipped ${Math.round(a.ms)} ms`);
  }
  for (let i = 0; i < runs; i++) {
    const r = await lb({ check: true, extra: ['--diff'] });
    check(r, 'lbrun --check --diff run', { converged: true });
    out.lbrun.check.push(r.ms);
    const a = await an({ check: true, diff: true });
    check(a, 'ansible --check --diff run', { converged: true });
    out.ansible.check.push(a.ms);
    log(`  --check --diff    lbrun ${Math.round(r.ms)} ms, ansible ${Math.round(a.ms)} ms`);
  }
}
