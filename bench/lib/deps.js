/**
 * What the benchmark needs from Debian (ansible-core, time, openssh-server, and the lab's
 * packages): the "bench" group of src/setup/requirements.ts, installed idempotently through apt
 * by the same installer as `lbrun lab up` and `npm test`.
 */
import { ensureRequirements } from '../../dist/setup/host-packages.js';
import { timed } from './proc.js';

export async function ensureDeps(log) {
  await ensureRequirements('bench', { label: 'npm run bench', log });
}

/** "ansible-playbook [core 2.14.18]" */
export async function ansibleVersion() {
  const r = await timed('ansible-playbook', ['--version']);
  return r.stdout.split('\n')[0]?.trim() ?? 'unknown';
}
