/** proxmox_lxc's pure plan for the Proxmox VE API: the node's containers and config -> the steps. */
import { TaskError } from '../../errors.js';
import type { Plan, PlanInput } from '../types.js';
import type { PveParams } from './api-client.js';
import type { ResolvedArgs } from './args.js';
import { currentListing, desiredListing, planConfigChange, requireTemplate, type Listing } from './container-config.js';
import { containerDiff } from './driver.js';

export interface ListEntry {
  vmid: number | string;
  name?: string;
  status: string;
}

export type Step =
  | { kind: 'create' }
  | { kind: 'update'; set: PveParams; delete: string[] }
  | { kind: 'resize'; size: string }
  | { kind: 'start' | 'shutdown' | 'stop' | 'destroy' };

export interface Actions {
  /** Undefined: create with the next free id. */
  vmid?: number;
  steps: Step[];
  /** What apply reports when done. */
  done: string;
}

/** What plan needs from the API: the node's containers and the config of this task's one. */
export interface PveFacts {
  list: ListEntry[];
  config?: Record<string, unknown>;
}

export const ctLabel = (vmid: number | undefined, a: ResolvedArgs) => `CT ${vmid ?? '(next free id)'} (${a.hostname}) on ${a.node}`;

/** The container this task is about: by vmid if given (and then its name must match), else by hostname. */
export function findContainer(list: ListEntry[], a: ResolvedArgs): ListEntry | undefined {
  if (a.vmid !== undefined) {
    const hit = list.find((e) => Number(e.vmid) === a.vmid);
    if (hit && hit.name !== undefined && hit.name !== a.hostname) {
      throw new TaskError(
        `vmid ${a.vmid} on ${a.node} is container '${hit.name}', not '${a.hostname}': refusing to change another container (check vmid and hostname)`,
      );
    }
    const twin = hit ? undefined : list.find((e) => e.name === a.hostname);
    if (twin) {
      // Likely made by hand or by Terraform: creating a second one would clash on its address.
      throw new TaskError(
        `vmid ${a.vmid} does not exist on ${a.node}, but container ${twin.vmid} is named '${a.hostname}': set vmid to ${twin.vmid} to manage it, or remove it first`,
      );
    }
    return hit;
  }
  const hits = list.filter((e) => e.name === a.hostname);
  if (hits.length > 1) {
    throw new TaskError(`${hits.length} containers on ${a.node} are named '${a.hostname}' (vmids ${hits.map((h) => h.vmid).join(', ')}): set vmid`);
  }
  return hits[0];
}

export function withStatus(l: Listing, status: string): Listing {
  return { ...l, status };
}

export function planPve(a: ResolvedArgs, facts: PveFacts, input: PlanInput): Plan<Actions> {
  const found = findContainer(facts.list, a);
  const vmid = found ? Number(found.vmid) : a.vmid;
  const path = `proxmox://${a.node}/lxc/${vmid ?? 'new'}`;
  const result = { vmid, node: a.node, status: found?.status ?? 'absent' };
  const label = ctLabel(vmid, a);

  if (a.state === 'absent') {
    if (!found) return { changed: false, note: `${label} is absent`, result };
    const steps: Step[] = found.status === 'running' ? [{ kind: 'stop' }, { kind: 'destroy' }] : [{ kind: 'destroy' }];
    const before = input.diff && facts.config ? withStatus(currentListing(facts.config, Object.keys(desiredListing(a))), found.status) : null;
    const how = `${found.status === 'running' ? 'stopped and ' : ''}destroyed`;
    return {
      changed: true,
      change: `${found.status === 'running' ? 'stop and ' : ''}destroy ${label}`,
      diff: input.diff ? [containerDiff(path, before, null)] : undefined,
      data: { vmid, steps, done: `${label} ${how}` },
      result,
    };
  }

  const want = desiredListing(a);
  const wantStatus = a.state === 'started' ? 'running' : a.state === 'stopped' ? 'stopped' : undefined;
  if (!found) {
    requireTemplate(a); // fails now, in check mode too
    const how = `created${a.state === 'started' ? ' and started' : ''}`;
    return {
      changed: true,
      change: `create${a.state === 'started' ? ' and start' : ''} ${label}`,
      diff: input.diff ? [containerDiff(path, null, withStatus(want, wantStatus ?? 'stopped'))] : undefined,
      data: { vmid, steps: [{ kind: 'create' }], done: how },
      result,
    };
  }

  const cfg = facts.config ?? {};
  const running = found.status === 'running';
  const change = planConfigChange(cfg, a, running, vmid!);
  const steps: Step[] = [];
  if (Object.keys(change.set).length || change.delete.length) steps.push({ kind: 'update', set: change.set, delete: change.delete });
  if (change.resize) steps.push({ kind: 'resize', size: change.resize });
  if (wantStatus === 'running' && !running) steps.push({ kind: 'start' });
  if (wantStatus === 'stopped' && running) steps.push({ kind: 'shutdown' });

  const have = currentListing(cfg, Object.keys(want));
  const notes: string[] = [];
  const set = change.changed.filter((k) => k !== 'rootfs');
  if (set.length) notes.push(set.map((k) => `${k} ${have[k] || '(unset)'} -> ${want[k] || '(unset)'}`).join(', '));
  if (change.resize) notes.push(`rootfs grows to ${change.resize} (Proxmox disks only grow)`);
  if (steps.some((s) => s.kind === 'start')) notes.push('started');
  if (steps.some((s) => s.kind === 'shutdown')) notes.push('shut down');
  if (change.needRestart.length && wantStatus !== 'stopped') {
    notes.push(`the container is running: ${change.needRestart.join(', ')} take effect after a restart (lbrun does not restart it)`);
  }
  const out = { ...result, need_restart: change.needRestart };
  if (!steps.length) return { changed: false, note: `${label} is as wanted`, result: out };
  return {
    changed: true,
    change: `change ${label}: ${notes.join('; ')}`,
    diff: input.diff ? [containerDiff(path, withStatus(have, found.status), withStatus(want, wantStatus ?? found.status))] : undefined,
    data: { vmid, steps, done: `${label} changed: ${notes.join('; ')}` },
    result: out,
  };
}

