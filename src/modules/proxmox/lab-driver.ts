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
import { BRIDGE_ADDRESS, PREFIX } from '../../lab/config.js';
import type { ApplyResult, ModuleContext, Plan, PlanInput } from '../types.js';
import { containerAddress, type ResolvedArgs } from './args.js';
import type { Listing } from './container-config.js';
import { containerDiff, type LxcDriver } from './driver.js';

type Step = 'create' | 'start' | 'stop' | 'remove';

export interface LabActions {
  steps: Step[];
  done: string;
}

/** The lab host as it is: running (with its address), and whether it has a disk. */
export interface LabFacts {
  running: boolean;
  address?: string | null;
  present: boolean;
}

/** Keys a Proxmox container has that the lab does not model. */
const IGNORED = ['cores', 'memory', 'swap', 'rootfs_size', 'ostemplate', 'ssh_public_keys', 'unprivileged', 'onboot', 'tags', 'nameserver'] as const;

function labAddress(a: ResolvedArgs): string {
  const address = containerAddress(a);
  if (!address || !a.net0) throw new TaskError(`lab host ${a.hostname}: net0.address is required with driver: lab`);
  const prefix = Number(a.net0.address.split('/')[1]);
  if (prefix !== PREFIX || (a.net0.gateway !== undefined && a.net0.gateway !== BRIDGE_ADDRESS)) {
    throw new TaskError(
      `lab host ${a.hostname}: net0 ${a.net0.address} via ${a.net0.gateway ?? '(none)'} does not fit the lab's network (/${PREFIX} via ${BRIDGE_ADDRESS})`,
    );
  }
  return address;
}

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

function plan(a: ResolvedArgs, st: LabFacts, input: PlanInput): Plan<LabActions> {
  const address = labAddress(a);
  const present = st.present;
  const status = st.running ? 'running' : present ? 'stopped' : 'absent';
  const label = `lab host ${a.hostname} (${address})`;
  if (st.running && st.address !== address) {
    throw new TaskError(`${label}: it runs with address ${st.address}; remove it first (state: absent)`);
  }
  const steps: Step[] = [];
  if (a.state === 'absent') {
    if (present) steps.push('remove');
  } else {
    if (!present) steps.push('create');
    if (a.state === 'started' && !st.running) steps.push('start');
    if ((a.state === 'stopped' || a.state === 'present') && !present) steps.push('stop');
    if (a.state === 'stopped' && st.running) steps.push('stop');
  }
  const ignored = IGNORED.filter((k) => a[k] !== undefined);
  const note = ignored.length ? ` (the lab ignores ${ignored.join(', ')})` : '';
  const words: Record<Step, string> = { create: 'created', start: 'started', stop: 'stopped', remove: 'removed' };
  const verbs: Record<Step, string> = { create: 'create', start: 'start', stop: 'stop', remove: 'remove' };
  const how = steps.map((s) => words[s]).join(' and ');
  const listing = (s: string): Listing => ({ hostname: a.hostname, net0: `name=eth0,bridge=lbrun0,ip=${address}/${PREFIX},gw=${BRIDGE_ADDRESS}`, status: s });
  const wanted = a.state === 'absent' ? 'absent' : a.state === 'started' ? 'running' : a.state === 'stopped' ? 'stopped' : present ? status : 'stopped';
  const result = { status, address };
  if (!steps.length) return { changed: false, note: `${label} is ${status}${note}`, result };
  return {
    changed: true,
    change: `${steps.map((s) => verbs[s]).join(' and ')} ${label}${note}`,
    diff: input.diff ? [containerDiff(`lab://${a.hostname}`, present ? listing(status) : null, wanted === 'absent' ? null : listing(wanted))] : undefined,
    data: { steps, done: `${label} ${how}${note}` },
    result,
  };
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

export const labDriver: LxcDriver<LabFacts, LabActions> = { read, plan, apply };
