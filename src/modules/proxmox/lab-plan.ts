/** proxmox_lxc's pure plan for `driver: lab`: the lab host's state -> the steps. */
import { TaskError } from '../../errors.js';
import { BRIDGE_ADDRESS, PREFIX } from '../../lab/config.js';
import type { Plan, PlanInput } from '../types.js';
import { containerAddress, type ResolvedArgs } from './args.js';
import type { Listing } from './container-config.js';
import { containerDiff } from './driver.js';

export type Step = 'create' | 'start' | 'stop' | 'remove';

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

export function labAddress(a: ResolvedArgs): string {
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

export function planLab(a: ResolvedArgs, st: LabFacts, input: PlanInput): Plan<LabActions> {
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

