/**
 * proxmox_lxc with `driver: lab`: the same task makes the host in the local lab (src/lab) instead of
 * a Proxmox container, through the very functions `lbrun lab up` uses (ensureHost, stopHost,
 * removeHost, hostState). api_*, node, vmid, ostemplate and the sizing keys do not apply to the lab:
 * its hosts share the controller's CPUs and memory, and get the lab's own SSH keys.
 *
 * States: a lab host exists once it has a disk (its overlay directory); it runs while its systemd runs.
 * A lab host cannot be made without booting it once, so `present`/`stopped` on a missing host boot it
 * and stop it again (as PVE's create leaves a container stopped).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { TaskError } from '../../errors.js';
import type { ApplyResult, ModuleContext, Plan } from '../types.js';
import type { ResolvedArgs } from './args.js';
import type { LxcDriver } from './driver.js';
import { labAddress, planLab, type LabActions, type LabFacts } from './lab-plan.js';

/** The lab library, loaded only when a task uses this driver (it is not small). */
const lab = () => import('../../lab/index.js');

/** Lab errors are plain Errors: make them task failures with the lab's words. */
async function labCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TaskError) throw err;
    throw new TaskError(`${what}: ${(err as Error).message}`, {}, { cause: err });
  }
}

async function read(_ctx: ModuleContext, a: ResolvedArgs): Promise<LabFacts> {
  labAddress(a);
  const st = await labCall(`lab host ${a.hostname}`, async () => (await lab()).hostState(a.hostname));
  // a stopped lab host keeps its disk: the overlay directory, stamped with its base
  const present = st.running || (await access(path.join(st.dir, 'base')).then(() => true, () => false));
  return { running: st.running, address: st.address, present };
}

async function apply(_ctx: ModuleContext, a: ResolvedArgs, p: Plan<LabActions>): Promise<ApplyResult> {
  const { steps, done } = p.data!;
  const spec = { name: a.hostname, address: labAddress(a) };
  const label = `lab host ${a.hostname}`;
  for (const step of steps) {
    if (step === 'create' || step === 'start') {
      // One boot serves both; wait for SSH only when the host is to stay up.
      if (step === 'start' && steps.includes('create')) continue;
      const stays = a.state === 'started';
      await labCall(label, async () =>
        (await lab()).ensureHost(spec, { wait: stays && a.wait_for_ssh, timeoutMs: a.wait_for_ssh_timeout * 1000 }),
      );
    } else if (step === 'stop') {
      await labCall(label, async () => (await lab()).stopHost(a.hostname));
    } else {
      await labCall(label, async () => (await lab()).removeHost(a.hostname));
    }
  }
  const ssh = a.state === 'started' && a.wait_for_ssh ? `; SSH answers on ${spec.address}:22` : '';
  return { changed: true, msg: `${done}${ssh}`, result: { ...(p.result ?? {}), status: a.state === 'absent' ? 'absent' : a.state === 'started' ? 'running' : 'stopped' } };
}

export const labDriver: LxcDriver<LabFacts, LabActions> = { read, plan: planLab, apply };
