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
import type { ApplyResult, ModuleContext, Plan } from '../types.js';
import { PveApiError, PveClient, type PveParams } from './api-client.js';
import type { ResolvedArgs } from './args.js';
import { createParams } from './container-config.js';
import { ctLabel, findContainer, planPve, type Actions, type ListEntry, type PveFacts } from './pve-plan.js';
import { waitForSshIfAsked, type LxcDriver } from './driver.js';
import { isUpid, waitForTask } from './tasks.js';

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

export const proxmoxDriver: LxcDriver<PveFacts, Actions> = { read, plan: planPve, apply };
