/**
 * The floor estimate of a scenario, measured in the same bench run: `node -e 0` alone, and the whole
 * process of bench/lib/floor-probe.js (Node's start, one SSH handshake per host in parallel, one
 * round trip per task). lbrun's distance to the floor is its figure over the probe's.
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
  const floorMs = [];
  for (let i = 0; i < o.runs; i++) {
    nodeMs.push((await timed(process.execPath, ['-e', '0'])).ms);
    const r = await timed(process.execPath, [PROBE, JSON.stringify(o.hosts), String(o.rounds), ...(o.serial ? ['serial'] : [])]);
    if (r.code !== 0) throw new Error(`floor probe exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    floorMs.push(r.ms);
  }
  return { nodeMs, floorMs, rounds: o.rounds, serial: o.serial === true, medianMs: median(floorMs) };
}
