/**
 * The lab library: what `lbrun lab` does, callable from code (tests, a provisioning playbook that
 * creates lab hosts). Needs root on Linux.
 */
import { pruneBases } from './base.js';
import { ensureBackends } from './backends.js';
import { DEFAULT_HOSTS, checkHostSpec, type HostSpec } from './config.js';
import { ensureHost, hostState, knownHosts } from './host.js';
import { writeKnownHosts } from './keys.js';
import { progress } from './log.js';
import { prepare } from './prepare.js';
import { labStatus, type LabStatus } from './status.js';
import { loadRecord, withLock } from './state.js';

export interface LabUpOptions {
  /** hosts to start (default lb-01..03 at 10.213.0.11-13) */
  hosts?: HostSpec[];
  /** also start the stand-in API servers (default true) */
  backends?: boolean;
}

/** Bring the lab up, or repair it: idempotent; running hosts are left alone. Returns its status. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabStatus> {
  const hosts = opts.hosts ?? DEFAULT_HOSTS;
  hosts.forEach(checkHostSpec);
  return withLock(async () => {
    const t0 = Date.now();
    const prep = await prepare();
    await Promise.all(hosts.map((h) => ensureHost(h)));
    if (opts.backends !== false) await ensureBackends();
    await writeKnownHosts();
    // drop cached bases of older recipes that no running host still uses
    const inUse = new Set<string>();
    for (const n of await knownHosts()) {
      const st = await hostState(n);
      if (st.running) inUse.add((await loadRecord('host', n))?.baseDir ?? '');
    }
    inUse.add(prep.base.dir);
    await pruneBases(inUse);
    const status = await labStatus();
    progress(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return status;
  });
}

export { labDown, labLeftovers, labProcesses, type DownOptions, type DownReport, type Leftovers } from './down.js';
export { labStatus, formatStatus, type LabStatus, type HostStatus, type BackendStatus } from './status.js';
export {
  ensureHost,
  stopHost,
  removeHost,
  hostState,
  hostExec,
  hostMemory,
  sshBanner,
  type HostState,
  type EnsureHostOptions,
  type ExecOptions,
} from './host.js';
export { startBackend, stopBackend, backendState, backendGet, findBackend, type BackendState } from './backends.js';
export { keyPaths, ensureKeys, type LabKeys } from './keys.js';
export {
  BRIDGE,
  BRIDGE_ADDRESS,
  VIP,
  PREFIX,
  DEFAULT_HOSTS,
  BACKENDS,
  BACKEND_PORT,
  labKeysDir,
  type HostSpec,
  type BackendSpec,
} from './config.js';
export { setQuiet } from './log.js';
export { baseDir, baseHash, BASE_INCLUDE } from './base.js';
export { REPO_DIR, REPO_PACKAGES } from './repo.js';
