/** One implementation of proxmox_lxc's states: `proxmox` (the PVE API) or `lab` (the local lab). */
import type { ApplyResult, FileDiff, ModuleContext, Plan, PlanInput } from '../types.js';
import type { ResolvedArgs } from './args.js';
import { containerAddress } from './args.js';
import { renderListing, type Listing } from './container-config.js';
import { waitForPort } from './wait-for-port.js';

/** A driver on the typed contract: read the facts (API or lab), a pure plan, apply its steps. */
export interface LxcDriver<F, P> {
  read(ctx: ModuleContext, a: ResolvedArgs): Promise<F>;
  plan(a: ResolvedArgs, facts: F, input: PlanInput): Plan<P>;
  apply(ctx: ModuleContext, a: ResolvedArgs, plan: Plan<P>): Promise<ApplyResult>;
}

/** --diff of a container: normalised "key: value" listings; "" for a container that does not exist. */
export function containerDiff(path: string, before: Listing | null, after: Listing | null): FileDiff {
  return { path, before: before ? renderListing(before) : '', after: after ? renderListing(after) : '' };
}

/** After a change that leaves the container started: wait for TCP 22 on its address, if asked. */
export async function waitForSshIfAsked(ctx: ModuleContext, a: ResolvedArgs): Promise<string | undefined> {
  const address = containerAddress(a);
  if (a.state !== 'started' || !a.wait_for_ssh || !address) return undefined;
  await waitForPort(address, 22, a.wait_for_ssh_timeout * 1000, ctx.signal);
  return `SSH answers on ${address}:22`;
}
