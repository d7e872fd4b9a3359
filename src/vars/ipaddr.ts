/**
 * The IPv4 part of ansible.utils.ipaddr (docs/file-formats.md): `'10.0.0.5/24' | ipaddr('network')`
 * is '10.0.0.0'. Queries: '' (the value if it is an address or prefix, else false), address, host
 * ('10.0.0.5/24'), network, netmask, prefix, broadcast, 'network/prefix' and 'subnet'
 * ('10.0.0.0/24'), size. A list keeps the items that answer (as Ansible). IPv6 values answer false.
 */
import type { Fail } from './filters.js';

interface V4 {
  addr: number;
  prefix: number;
}

function parse(v: string): V4 | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(v.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return undefined;
  return { addr: ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, prefix };
}

const text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const QUERIES: Record<string, (ip: V4, original: string) => unknown> = {
  '': (_ip, original) => original,
  address: (ip) => text(ip.addr),
  host: (ip) => `${text(ip.addr)}/${ip.prefix}`,
  network: (ip) => text((ip.addr & mask(ip.prefix)) >>> 0),
  netmask: (ip) => text(mask(ip.prefix)),
  prefix: (ip) => ip.prefix,
  broadcast: (ip) => text((ip.addr | ~mask(ip.prefix)) >>> 0),
  'network/prefix': (ip) => `${text((ip.addr & mask(ip.prefix)) >>> 0)}/${ip.prefix}`,
  subnet: (ip) => `${text((ip.addr & mask(ip.prefix)) >>> 0)}/${ip.prefix}`,
  size: (ip) => 2 ** (32 - ip.prefix),
};

export const IPADDR_QUERIES = Object.keys(QUERIES);

export function ipaddr(value: unknown, query: string, fail: Fail): unknown {
  const answer = QUERIES[query];
  if (!answer) return fail(`ipaddr: unknown query ${JSON.stringify(query)}; queries: ${IPADDR_QUERIES.filter(Boolean).join(', ')}`);
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'string' ? one(v, answer) : false)).filter((v) => v !== false);
  }
  if (typeof value !== 'string') return false;
  return one(value, answer);
}

function one(v: string, answer: (ip: V4, original: string) => unknown): unknown {
  const ip = parse(v);
  return ip ? answer(ip, v) : false;
}
