/**
 * proxmox_lxc through the Proxmox VE API. plan() only reads (GET the node's container list, then the
 * container's config); apply() changes only what plan found different and waits for every task.
 *
 * Endpoints (PVE API viewer, /nodes/{node}/lxc/...):
 *   GET  /nodes/{node}/lxc                       list: vmid, name, status
 *   GET  /cluster/nextid                         first free vmid (when the task gives none)
 *   POST /nodes/{node}/lxc                       create -> UPID
 *   GET  /nodes/{node}/lxc/{vmid}/config         current config
 *   PUT  /nodes/{node}/lxc/{vmid}/config         set keys, `delete` list (synchronous)
 *   PUT  /nodes/{node}/lxc/{vmid}/resize         grow a disk -> UPID (older PVE: null)
 *   POST /nodes/{node}/lxc/{vmid}/status/{start,shutdown,stop} -> UPID
 *   DELETE /nodes/{node}/lxc/{vmid}?purge=1      destroy -> UPID
 */
import { TaskError } from '../../errors.js';
import type { ApplyResult, ModuleContext, Plan, PlanInput } from '../types.js';
import { PveApiError, PveClient, type PveParams } from './api-client.js';
import type { ResolvedArgs } from './args.js';
import { createParams, currentListing, desiredListing, planConfigChange, requireTemplate, type Listing } from './container-config.js';
import { containerDiff, waitForSshIfAsked, type LxcDriver } from './driver.js';
import { isUpid, waitForTask } from './tasks.js';

export interface ListEntry {
  vmid: number | string;
  name?: string;
  status: string;
}

type Step =
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

function clientFor(a: ResolvedArgs): PveClient {
  if (!a.api_token_secret) throw new TaskError(`api_token_secret is empty: give the secret of the API token ${a.api_token_id}`);
  return new PveClient({
    apiUrl: a.api_url!,
    tokenId: a.api_token_id!,
    tokenSecret: a.api_token_secret,
    caFile: a.ca_file,
    validateCerts: a.validate_certs,
  });
}

async function withClient<T>(a: ResolvedArgs, fn: (c: PveClient) => Promise<T>): Promise<T> {
  const client = clientFor(a);
  try {
    return await fn(client);
  } catch (err) {
    // Whatever the cause, the secret never leaves this module.
    if (err instanceof Error) {
      err.message = client.redact(err.message);
      if (err.stack) err.stack = client.redact(err.stack);
    }
    if (err instanceof TaskError) {
      for (const [k, v] of Object.entries(err.details)) if (typeof v === 'string') err.details[k] = client.redact(v);
    }
    throw err;
  } finally {
    client.close();
  }
}

const nodePath = (a: ResolvedArgs) => `/nodes/${encodeURIComponent(a.node!)}/lxc`;
const ctLabel = (vmid: number | undefined, a: ResolvedArgs) => `CT ${vmid ?? '(next free id)'} (${a.hostname}) on ${a.node}`;

/** The container this task is about: by vmid if given (and then its name must match), else by hostname. */
function findContainer(list: ListEntry[], a: ResolvedArgs): ListEntry | undefined {
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

function withStatus(l: Listing, status: string): Listing {
  return { ...l, status };
}

async function read(ctx: ModuleContext, a: ResolvedArgs): Promise<PveFacts> {
  if (!a.validate_certs) ctx.log(`proxmox_lxc: TLS certificate of ${a.api_url} is NOT verified (validate_certs: false)`);
  return withClient(a, async (client) => {
    const list = await client.get<ListEntry[]>(nodePath(a));
    let found: ListEntry | undefined;
    try {
      found = findContainer(list, a);
    } catch {
      return { list }; // the plan says why
    }
    const config = found && (a.state !== 'absent' || ctx.diff) ? await configOf(client, a, Number(found.vmid)) : undefined;
    return { list, config };
  });
}

function plan(a: ResolvedArgs, facts: PveFacts, input: PlanInput): Plan<Actions> {
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

async function configOf(client: PveClient, a: ResolvedArgs, vmid: number): Promise<Record<string, unknown>> {
  return client.get<Record<string, unknown>>(`${nodePath(a)}/${vmid}/config`);
}

async function apply(ctx: ModuleContext, a: ResolvedArgs, p: Plan<Actions>): Promise<ApplyResult> {
  const actions = p.data!;
  const timeoutMs = (a.task_timeout ?? (ctx.timeoutMs ? ctx.timeoutMs / 1000 : 300)) * 1000;
  return withClient(a, async (client) => {
    let vmid = actions.vmid;
    const run = async (what: string, data: unknown) => {
      if (isUpid(data)) await waitForTask(client, data, what, { timeoutMs, signal: ctx.signal });
    };
    for (const step of actions.steps) {
      const ct = () => `${nodePath(a)}/${vmid}`;
      switch (step.kind) {
        case 'create':
          vmid = await create(client, a, vmid, run);
          break;
        case 'update': {
          const params: PveParams = { ...step.set };
          if (step.delete.length) params.delete = step.delete.join(',');
          await client.put(`${ct()}/config`, params);
          break;
        }
        case 'resize':
          await run(`resize of CT ${vmid} rootfs`, await client.put(`${ct()}/resize`, { disk: 'rootfs', size: step.size }));
          break;
        case 'start':
          await run(`start of CT ${vmid}`, await client.post(`${ct()}/status/start`));
          break;
        case 'shutdown':
          await run(`shutdown of CT ${vmid}`, await client.post(`${ct()}/status/shutdown`, { timeout: 60, forceStop: true }));
          break;
        case 'stop':
          await run(`stop of CT ${vmid}`, await client.post(`${ct()}/status/stop`));
          break;
        case 'destroy':
          await run(`destroy of CT ${vmid}`, await client.delete(ct(), { purge: true, 'destroy-unreferenced-disks': true }));
          break;
      }
    }
    // A created container learns its id only now.
    const msg = [actions.steps[0]?.kind === 'create' ? `${ctLabel(vmid, a)} ${actions.done}` : actions.done];
    const ssh = await waitForSshIfAsked(ctx, a);
    if (ssh) msg.push(ssh);
    return { changed: true, msg: msg.join('; '), result: { ...(p.result ?? {}), vmid } };
  });
}

/** POST /nodes/{node}/lxc; without a vmid, take /cluster/nextid and retry if another run took it first. */
async function create(
  client: PveClient,
  a: ResolvedArgs,
  vmid: number | undefined,
  run: (what: string, data: unknown) => Promise<void>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const id = vmid ?? Number(await client.get<string | number>('/cluster/nextid'));
    try {
      await run(`create of CT ${id} (${a.hostname})`, await client.post(nodePath(a), createParams(a, id)));
      return id;
    } catch (err) {
      const taken = err instanceof PveApiError && /already exists/i.test(err.reason);
      if (vmid !== undefined || !taken || attempt >= 3) throw err;
    }
  }
}

export const proxmoxDriver: LxcDriver<PveFacts, Actions> = { read, plan, apply };
