/** The lab's links on the controller: the bridge lbrun0 and one veth per host or backend (lbv-*). */
import { BRIDGE, BRIDGE_ADDRESS, PREFIX, VETH_PREFIX } from './config.js';
import { run, runOk } from './proc.js';

/** Names of every link that belongs to the lab (lbrun0, lbv-*). */
export async function labLinks(): Promise<string[]> {
  const out = await runOk('ip', ['-o', 'link', 'show']);
  const names: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m && (m[1] === BRIDGE || m[1].startsWith(VETH_PREFIX))) names.push(m[1]);
  }
  return names;
}

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name])).code === 0;
}

/** Create the bridge with the controller's lab address, or repair it. Idempotent. */
export async function ensureBridge(): Promise<void> {
  if (!(await linkExists(BRIDGE))) {
    await runOk('ip', ['link', 'add', BRIDGE, 'type', 'bridge', 'mcast_snooping', '0']);
  }
  const addr = await runOk('ip', ['-4', '-o', 'addr', 'show', 'dev', BRIDGE]);
  if (!addr.includes(`inet ${BRIDGE_ADDRESS}/${PREFIX}`)) {
    await runOk('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX}`, 'dev', BRIDGE]);
  }
  await runOk('ip', ['link', 'set', BRIDGE, 'up']);
}

/**
 * The MAC address of eth0 of the lab machine at `address`: fixed (locally administered, derived
 * from the address), so neighbours' ARP caches stay right when a host or backend restarts, as with
 * a real machine.
 */
export function macFor(address: string): string {
  const hex = address.split('.').map((n) => Number(n).toString(16).padStart(2, '0'));
  return `02:4c:${hex.join(':')}`;
}

/** A veth pair: `veth` on the bridge, its peer `eth0` (with the fixed MAC) moved into the network namespace of `pid`. */
export async function addVeth(veth: string, pid: number, address: string): Promise<void> {
  await deleteLink(veth);
  await runOk('ip', [
    'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'address', macFor(address), 'netns', String(pid),
  ]);
  await runOk('ip', ['link', 'set', veth, 'master', BRIDGE, 'up']);
}

/** Is the veth there and attached to the bridge? */
export async function vethAttached(veth: string): Promise<boolean> {
  const r = await run('ip', ['-o', 'link', 'show', 'dev', veth]);
  return r.code === 0 && r.stdout.includes(`master ${BRIDGE}`) && !r.stdout.includes('state DOWN');
}

export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await run('ip', ['link', 'del', 'dev', name]);
}

/** Configure eth0 inside the network namespace of `pid` (for repairs and the backends). */
export async function configureInside(pid: number, address: string): Promise<void> {
  const script = [
    'ip link set lo up',
    `ip addr replace ${address}/${PREFIX} dev eth0`,
    'ip link set eth0 up',
    `ip route replace default via ${BRIDGE_ADDRESS}`,
  ].join(' && ');
  await runOk('nsenter', ['-t', String(pid), '-n', '/bin/sh', '-c', script]);
}
