/**
 * Gathering facts when a task first reads them (src/vars/facts.ts): one command on the host, once per
 * host per run (several readers wait for the same answer), then the task is evaluated again. Read
 * only, so --check gathers them too. Another host's facts (hostvars[h].ansible_default_ipv4) are
 * gathered over that host's own connection.
 */
import { ConnectError, TaskError } from '../errors.js';
import { FactsNeeded, factStore, type Facts } from '../vars/facts.js';
import { settingsOf } from './play.js';
import type { TaskScope } from './task-scope.js';

/** The facts, one key=value per line; what the shell can read itself it reads (the host name,
 *  /etc/os-release, /proc/meminfo): 4 processes where `hostname -s`, `uname`, `head` and `sed` made 10. */
export const FACTS_SCRIPT = [
  'read -r n </proc/sys/kernel/hostname',
  'echo "hostname=${n%%.*}"',
  'echo "fqdn=$(hostname -f 2>/dev/null || echo "$n")"',
  'echo "nodename=$n"',
  'ip -4 route show default 2>/dev/null | { IFS= read -r l; echo "route=$l"; }',
  'ip -o -4 addr show 2>/dev/null | while IFS= read -r l; do echo "addr=$l"; done',
  'while IFS= read -r l || [ -n "$l" ]; do echo "os_$l"; done 2>/dev/null </etc/os-release',
  'while read -r k v _; do [ "$k" = MemTotal: ] && echo "mem=$v"; done </proc/meminfo',
  'echo "nproc=$(nproc 2>/dev/null)"',
].join('\n');

const pending = new WeakMap<object, Map<string, Promise<void>>>();

/** Run fn; when it needs facts not gathered yet, gather them and run it again. */
export async function withFacts<T>(scope: TaskScope, fn: () => T | Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof FactsNeeded) || attempt > 20) throw err;
      await gatherFacts(scope, err.host);
    }
  }
}

function gatherFacts(scope: TaskScope, host: string): Promise<void> {
  const { run } = scope;
  let perRun = pending.get(run.inventory);
  if (!perRun) pending.set(run.inventory, (perRun = new Map()));
  let p = perRun.get(host);
  if (!p) {
    p = gather(scope, host);
    perRun.set(host, p);
    p.catch(() => perRun.delete(host));
  }
  return p;
}

async function gather(scope: TaskScope, host: string): Promise<void> {
  const { run, play } = scope;
  const settings = host === scope.host ? scope.settings : settingsOf(run, play, host, [host]);
  try {
    const conn = await run.pool.open(host, settings);
    const r = await conn.run(FACTS_SCRIPT, { become: false, signal: run.signal, read: true });
    factStore(run.inventory).set(host, parseFacts(r.stdout));
  } catch (err) {
    if (host === scope.host || !(err instanceof ConnectError)) throw err;
    throw new TaskError(`cannot gather the facts of ${host}: ${err.message}`, {}, { cause: err });
  }
}

/** The script's output as Ansible-named facts (keys without the ansible_ prefix). */
export function parseFacts(out: string): Facts {
  const kv = new Map<string, string>();
  const addrs: Array<{ dev: string; cidr: string; brd?: string }> = [];
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    if (key === 'addr') {
      const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)(?:\s+brd\s+(\S+))?/.exec(value);
      if (m) addrs.push({ dev: m[1], cidr: m[2], brd: m[3] });
    } else kv.set(key, value.replace(/^"(.*)"$/, '$1'));
  }
  const route = /(?:via\s+(\S+)\s+)?dev\s+(\S+)/.exec(kv.get('route') ?? '');
  const gateway = /via\s+(\S+)/.exec(kv.get('route') ?? '')?.[1];
  const dev = route?.[2];
  const primary = addrs.find((a) => a.dev === dev);
  const id = kv.get('os_ID') ?? '';
  const name = kv.get('os_NAME') ?? '';
  const facts: Facts = {
    hostname: kv.get('hostname') ?? '',
    fqdn: kv.get('fqdn') ?? '',
    nodename: kv.get('nodename') ?? '',
    default_ipv4: primary ? ipv4Fact(primary, gateway) : {},
    all_ipv4_addresses: addrs.filter((a) => !a.cidr.startsWith('127.')).map((a) => a.cidr.split('/')[0]),
    distribution: name.split(' ')[0] || id,
    distribution_version: kv.get('os_VERSION_ID') ?? '',
    distribution_major_version: (kv.get('os_VERSION_ID') ?? '').split('.')[0],
    distribution_release: kv.get('os_VERSION_CODENAME') ?? '',
    os_family: ['debian', 'ubuntu'].includes(id) || (kv.get('os_ID_LIKE') ?? '').includes('debian') ? 'Debian' : name.split(' ')[0] || id,
    memtotal_mb: Math.floor(Number(kv.get('mem') ?? 0) / 1024),
    processor_vcpus: Number(kv.get('nproc') ?? 0),
  };
  return facts;
}

function ipv4Fact(a: { dev: string; cidr: string; brd?: string }, gateway: string | undefined): Facts {
  const [address, p] = a.cidr.split('/');
  const prefix = Number(p ?? 32);
  const toNum = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const toText = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const out: Facts = {
    address,
    interface: a.dev.replace(/@.*$/, ''),
    alias: a.dev.replace(/@.*$/, ''),
    netmask: toText(mask),
    prefix: String(prefix),
    network: toText((toNum(address) & mask) >>> 0),
    broadcast: a.brd ?? toText((toNum(address) | ~mask) >>> 0),
  };
  if (gateway) out.gateway = gateway;
  return out;
}
