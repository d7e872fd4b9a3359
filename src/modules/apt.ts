/**
 * apt: packages present, absent or latest. One round trip decides (dpkg-query for every name, plus
 * apt-cache policy for `latest` and the cache age for cache_valid_time). Installs are
 * non-interactive, without recommends unless asked, and wait for the dpkg lock instead of failing.
 */
import { quoteArgs } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import { asList, stringList } from './support/schema-parts.js';
import { typedModule } from './contract.js';

export interface AptArgs {
  name?: string | string[];
  state?: 'present' | 'absent' | 'latest';
  update_cache?: boolean;
  cache_valid_time?: number;
  install_recommends?: boolean;
}

export interface AptFacts {
  installed: Set<string>;
  /** Names with an upgrade available (state latest only). */
  upgradable: Set<string>;
  /** Seconds since the package lists were last updated. */
  cacheAge: number;
}

const APT_GET = 'apt-get -o DPkg::Lock::Timeout=120 -y -q';
const ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/**
 * `age`: the cache's age matters (update_cache with cache_valid_time); it costs two processes.
 * dpkg-query exits 1 when a name is not installed (an answer, not a failure); anything else fails
 * the read, as does a failing apt-cache.
 */
export function aptFactsScript(names: string[], latest: boolean, age: boolean): string {
  const q = quoteArgs(names);
  return [
    names.length ? `{ dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' ${q} 2>/dev/null || [ $? -eq 1 ]; }` : '',
    latest && names.length ? `echo --policy-- && LC_ALL=C apt-cache policy ${q} 2>/dev/null` : '',
    age ? 'echo "--age-- $(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0) ))"' : '',
  ]
    .filter(Boolean)
    .join(' &&\n');
}

export function parseAptFacts(stdout: string): AptFacts {
  const installed = new Set<string>();
  const upgradable = new Set<string>();
  const [statusPart, rest = ''] = stdout.split('--policy--\n');
  for (const line of statusPart.split('\n')) {
    const m = /^(\S+) ii/.exec(line);
    if (m) installed.add(m[1].replace(/:.*$/, ''));
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

/** The cache's age matters only to update_cache with cache_valid_time. */
const needsCacheAge = (args: AptArgs): boolean => args.update_cache === true && args.cache_valid_time !== undefined;

export function aptPlan(args: AptArgs, facts: AptFacts): AptActions {
  const names = asList(args.name);
  const state = args.state ?? 'present';
  const missing = names.filter((n) => !facts.installed.has(n));
  const updateCache = args.update_cache === true && (!needsCacheAge(args) || facts.cacheAge > args.cache_valid_time!);
  return {
    updateCache,
    install: state === 'absent' ? [] : missing,
    upgrade: state === 'latest' ? names.filter((n) => facts.upgradable.has(n)) : [],
    remove: state === 'absent' ? names.filter((n) => facts.installed.has(n)) : [],
  };
}

function describe(a: AptActions): string {
  const parts = [
    a.updateCache ? 'update the apt cache' : '',
    a.install.length ? `install ${a.install.join(', ')}` : '',
    a.upgrade.length ? `upgrade ${a.upgrade.join(', ')}` : '',
    a.remove.length ? `remove ${a.remove.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** The apt-get commands of a plan (run with DEBIAN_FRONTEND=noninteractive). */
export function aptCommands(a: AptActions, installRecommends: boolean): string[] {
  const recommends = installRecommends ? '' : ' --no-install-recommends';
  const steps: string[] = [];
  if (a.updateCache) steps.push(`${APT_GET} update`);
  if (a.install.length || a.upgrade.length) steps.push(`${APT_GET}${recommends} install ${quoteArgs([...a.install, ...a.upgrade])}`);
  if (a.remove.length) steps.push(`${APT_GET} remove ${quoteArgs(a.remove)}`);
  return steps;
}

export const apt = typedModule<AptArgs, AptFacts | undefined, AptActions>({
  name: 'apt',
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
  fact: (args) => {
    const command = aptFactsScript(asList(args.name), args.state === 'latest', needsCacheAge(args));
    // update_cache alone asks nothing: no read at all
    return command ? { command, parse: parseAptFacts } : undefined;
  },
  plan(args, given, input) {
    const facts = given ?? parseAptFacts('');
    const names = asList(args.name);
    const actions = aptPlan(args, facts);
    const changed = actions.updateCache || actions.install.length + actions.upgrade.length + actions.remove.length > 0;
    if (!changed) return { changed };
    const lines = (list: string[]) => list.map((n) => `${n}\n`).join('');
    const diff =
      input.diff && names.length
        ? [{ path: 'installed packages', before: lines(names.filter((n) => facts.installed.has(n))), after: lines(args.state === 'absent' ? [] : names) }]
        : undefined;
    const commands = aptCommands(actions, args.install_recommends === true);
    return { changed, change: describe(actions), diff, commands, data: actions, pending: { packages: [...actions.install, ...actions.upgrade] } };
  },
  /** The plan's commands, with apt-get's output registered. */
  async apply(ctx, _args, plan) {
    const r = await mustRun(ctx, (plan.commands ?? []).join(' && '), 'apt-get', { env: ENV, timeoutMs: ctx.timeoutMs });
    return { changed: true, msg: plan.change, result: { stdout: r.stdout, stderr: r.stderr } };
  },
});

registerModule(apt);
