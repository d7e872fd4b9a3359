/**
 * Facts on demand (docs/file-formats.md, Facts): ansible_default_ipv4, ansible_hostname, ... are in
 * every task's variables (and in hostvars[h]) as references. Reading one resolves it from the run's
 * fact store; when the host's facts are not gathered yet, FactsNeeded is thrown and the engine
 * gathers them (one command, src/engine/facts.ts) and runs the task again. Nothing reads facts that
 * no task uses, so a run that never mentions them pays nothing. Offline (validate, render) facts are
 * unknown values: what depends on them is not rendered. A variable of the same name set in the
 * inventory (or anywhere) wins over the fact.
 */
import type { Inventory } from '../inventory/types.js';
import type { Vars } from '../types.js';
import { Unknown } from './unknown.js';

/** The top-level fact variables (Ansible's names) and their key inside ansible_facts. */
export const FACT_NAMES = [
  'ansible_facts',
  'ansible_default_ipv4',
  'ansible_all_ipv4_addresses',
  'ansible_hostname',
  'ansible_nodename',
  'ansible_fqdn',
  'ansible_distribution',
  'ansible_distribution_version',
  'ansible_distribution_major_version',
  'ansible_distribution_release',
  'ansible_os_family',
  'ansible_memtotal_mb',
  'ansible_processor_vcpus',
];

/** The facts of one host, keyed without the ansible_ prefix (as in ansible_facts). */
export type Facts = Record<string, unknown>;

export class FactsNeeded extends Error {
  constructor(readonly host: string) {
    super(`facts of ${host} are needed`);
    this.name = 'FactsNeeded';
  }
}

/** A fact not read yet. */
export class FactRef {
  constructor(
    readonly inventory: Inventory,
    readonly host: string,
    readonly name: string,
  ) {}

  resolve(): unknown {
    const store = stores.get(this.inventory);
    if (!store) return new Unknown([this.host === '' ? this.name : `${this.name} (facts of ${this.host}, gathered at run time)`]);
    const facts = store.get(this.host);
    if (!facts) throw new FactsNeeded(this.host);
    if (this.name === 'ansible_facts') return facts;
    const key = this.name.replace(/^ansible_/, '');
    return Object.hasOwn(facts, key) ? facts[key] : null;
  }
}

const stores = new WeakMap<Inventory, Map<string, Facts>>();

/** The run's store of gathered facts (the engine registers one per run; offline there is none). */
export function factStore(inventory: Inventory): Map<string, Facts> {
  let s = stores.get(inventory);
  if (!s) {
    s = new Map();
    stores.set(inventory, s);
  }
  return s;
}

/** Add the fact references of a host to its variables, where no variable of that name is set. */
export function addFactRefs(vars: Vars, inventory: Inventory, host: string): void {
  for (const name of FACT_NAMES) if (!Object.hasOwn(vars, name)) vars[name] = new FactRef(inventory, host, name);
}

/** A value as read: a fact reference resolved (or FactsNeeded thrown), anything else as it is. */
export function resolveFact(v: unknown): unknown {
  return v instanceof FactRef ? v.resolve() : v;
}

/** A value with every fact reference inside resolved (a whole hostvars entry written out). */
export function resolveFactsDeep(v: unknown): unknown {
  if (v instanceof FactRef) return v.resolve();
  if (Array.isArray(v)) return v.some(hasRef) ? v.map(resolveFactsDeep) : v;
  if (v !== null && typeof v === 'object' && !(v instanceof Unknown) && hasRef(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveFactsDeep(x)]));
  }
  return v;
}

function hasRef(v: unknown): boolean {
  if (v instanceof FactRef) return true;
  if (Array.isArray(v)) return v.some(hasRef);
  if (v !== null && typeof v === 'object' && !(v instanceof Unknown)) return Object.values(v).some(hasRef);
  return false;
}
