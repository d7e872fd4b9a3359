/**
 * The floor estimate of a scenario, measured in the same bench run: Node's start (`node -e 0`, the
 * whole process) plus the network part measured inside bench/lib/floor-probe.js (one SSH handshake
 * per host in parallel, one round trip per task). Loading an SSH library is not part of the floor
 * (a tool can keep its code compiled); the probe's load time is recorded beside it. lbrun's
 * distance to the floor is its converged figure over this sum.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectionSettings } from '../../dist/inventory/connection-vars.js';
import { loadInventory } from '../../dist/inventory/load.js';
import { loadPlaybook } from '../../dist/playbook/load.js';
import { taskVars } from '../../dist/vars/precedence.js';
import { median } from './stats.js';
import { timed } from './proc.js';

const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'floor-probe.js');

/** The hosts' SSH settings as lbrun reads them for the playbook's first play. */
export async function labHosts(playbookFile, inventoryFile, names) {
  const [playbook, inventory] = await Promise.all([loadPlaybook(playbookFile), loadInventory(inventoryFile)]);
  const play = playbook.plays[0];
  return names.map((host) => {
    const s = connectionSettings(host, taskVars({ inventory, host, play, playHosts: names }), dirname(inventory.file));
    return { address: s.address, port: s.port, user: s.user, privateKeyFile: s.privateKeyFile };
  });
}

/**
 * @param {{ hosts: object[], rounds: number, serial?: boolean, runs: number }} o
 * @returns {Promise<{ nodeMs: number[], floorMs: number[], rounds: number, serial: boolean }>}
 */
export async function measureFloor(o) {
  const nodeMs = [];
  const networkMs = [];
  const probeLoadMs = [];
  const floorMs = [];
  for (let i = 0; i < o.runs; i++) {
    const node = (await timed(process.execPath, ['-e', '0'])).ms;
    const r = await timed(process.execPath, [PROBE, JSON.stringify(o.hosts), String(o.rounds), ...(o.serial ? ['serial'] : [])]);
    if (r.code !== 0) throw new Error(`floor probe exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const probe = JSON.parse(r.stdout.trim().split('\n').pop());
    nodeMs.push(node);
    networkMs.push(probe.networkMs);
    probeLoadMs.push(probe.loadMs);
    floorMs.push(node + probe.networkMs);
  }
  return { nodeMs, networkMs, probeLoadMs, floorMs, rounds: o.rounds, serial: o.serial === true, medianMs: median(floorMs) };
}
