/**
 * apt: packages present, absent or latest. One round trip decides (dpkg-query for every name, plus
 * apt-cache policy for `latest` and the cache age for cache_valid_time). Installs are
 * non-interactive, without recommends unless asked, and wait for the dpkg lock instead of failing.
 */
import { quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { asList, stringList } from './support/schema-parts.js';
import type { ModuleContext, ModuleDefinition, PlanResult } from './types.js';

export interface AptArgs {
  name?: string | string[];
  state?: 'present' | 'absent' | 'latest';
  update_cache?: boolean;
  cache_valid_time?: number;
  install_recommends?: boolean;
}

export interface AptFacts {
  installed: Set<string>;
  /** name -> candidate version, for names with an upgrade available (state latest only). */
  upgradable: Set<string>;
  /** Seconds since the package lists were last updated. */
  cacheAge: number;
}

const APT_GET = 'apt-get -o DPkg::Lock::Timeout=120 -y -q';
const ENV = { DEBIAN_FRONTEND: 'noninteractive' };

export function aptFactsScript(names: string[], latest: boolean): string {
  const q = quoteArgs(names);
  return [
    names.length ? `dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' ${q} 2>/dev/null` : '',
    latest && names.length ? `echo --policy--; LC_ALL=C apt-cache policy ${q} 2>/dev/null` : '',
    'echo "--age-- $(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0) ))"',
  ].join('\n');
}

export function parseAptFacts(stdout: string): AptFacts {
  const installed = new Set<string>();
  const upgradable = new Set<string>();
  const [statusPart, rest = ''] = stdout.split('--policy--\n');
  for (const line of statusPart!.split('\n')) {
    const m = /^(\S+) ii/.exec(line);
    if (m) installed.add(m[1]!.replace(/:.*$/, ''));
  }
  let current: string | undefined;
  let inst: string | undefined;
  for (const line of rest.split('\n')) {
    const pkg = /^(\S+):$/.exec(line);
    if (pkg) current = pkg[1];
    const i = /^\s+Installed: (.*)$/.exec(line);
    if (i) inst = i[1];
    const c = /^\s+Candidate: (.*)$/.exec(line);
    if (c && current && inst && inst !== '(none)' && c[1] !== '(none)' && c[1] !== inst) upgradable.add(current);
  }
  const age = /--age-- (-?\d+)/.exec(stdout);
  return { installed, upgradable, cacheAge: age ? Number(age[1]) : Infinity };
}

interface AptActions {
  updateCache: boolean;
  install: string[];
  upgrade: string[];
  remove: string[];
}

export function aptPlan(args: AptArgs, facts: AptFacts): AptActions {
  const names = asList(args.name);
  const state = args.state ?? 'present';
  const missing = names.filter((n) => !facts.installed.has(n));
  const updateCache =
    args.update_cache === true && (args.cache_valid_time === undefined || facts.cacheAge > args.cache_valid_time);
  return {
    updateCache,
    install: state === 'absent' ? [] : missing,
    upgrade: state === 'latest' ? names.filter((n) => facts.upgradable.has(n)) : [],
    remove: state === 'absent' ? names.filter((n) => facts.installed.has(n)) : [],
  };
}

function describe(a: AptActions, check: boolean): string {
  const w = check ? 'would ' : '';
  const parts = [
    a.updateCache ? `${w}update the apt cache` : '',
    a.install.length ? `${w}install ${a.install.join(', ')}` : '',
    a.upgrade.length ? `${w}upgrade ${a.upgrade.join(', ')}` : '',
    a.remove.length ? `${w}remove ${a.remove.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

export const apt: ModuleDefinition<AptArgs> = {
  name: 'apt',
  readAhead: true,
  schema: {
    type: 'object',
    properties: {
      name: stringList,
      state: { enum: ['present', 'absent', 'latest'] },
      update_cache: { type: 'boolean' },
      cache_valid_time: { type: 'integer', minimum: 0 },
      install_recommends: { type: 'boolean' },
    },
    anyOf: [{ required: ['name'] }, { required: ['update_cache'] }],
    additionalProperties: false,
  },
  async plan(ctx: ModuleContext, args): Promise<PlanResult> {
    const names = asList(args.name);
    const r = await mustRun(ctx, aptFactsScript(names, args.state === 'latest'), 'querying packages');
    const facts = parseAptFacts(r.stdout);
    const actions = aptPlan(args, facts);
    for (const n of [...actions.install, ...actions.upgrade]) ctx.state.pendingPackages.add(n);
    const changed = actions.updateCache || actions.install.length + actions.upgrade.length + actions.remove.length > 0;
    const lines = (list: string[]) => list.map((n) => `${n}\n`).join('');
    const diff =
      ctx.diff && changed && names.length
        ? [{ path: 'installed packages', before: lines(names.filter((n) => facts.installed.has(n))), after: lines(args.state === 'absent' ? [] : names) }]
        : undefined;
    return { changed, msg: changed ? describe(actions, ctx.check) : undefined, actions, diff };
  },
  async apply(ctx, args, plan) {
    const a = plan.actions as AptActions;
    const recommends = args.install_recommends ? '' : ' --no-install-recommends';
    const steps: string[] = [];
    if (a.updateCache) steps.push(`${APT_GET} update`);
    if (a.install.length || a.upgrade.length) steps.push(`${APT_GET}${recommends} install ${quoteArgs([...a.install, ...a.upgrade])}`);
    if (a.remove.length) steps.push(`${APT_GET} remove ${quoteArgs(a.remove)}`);
    const r = await mustRun(ctx, steps.join(' && '), 'apt-get', { env: ENV, timeoutMs: ctx.timeoutMs });
    return { changed: true, msg: describe(a, false), result: { stdout: r.stdout, stderr: r.stderr } };
  },
};

registerModule(apt);
