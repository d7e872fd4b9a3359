/**
 * proxmox_lxc: create / start / stop / remove the LXC container a host lives in, so that
 * `lbrun playbooks/provision.yaml` takes a node from nothing to reachable over SSH.
 *
 * Runs on the controller (the container may not exist yet): no connection to the host is opened.
 * `driver: proxmox` (default) talks to the Proxmox VE API; `driver: lab` makes the same host in the
 * local lab (src/lab), so the same playbook provisions the lab for real. On the typed contract: the
 * driver reads its facts (the API, the lab), a pure plan decides, apply runs the plan's steps.
 */
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';
import type { Plan } from './types.js';
import { proxmoxLxcSchema, resolveArgs, type ProxmoxLxcArgs } from './proxmox/args.js';
import { planLab, type LabActions, type LabFacts } from './proxmox/lab-plan.js';
import { planPve, type Actions, type PveFacts } from './proxmox/pve-plan.js';

export type LxcFacts = ({ driver: 'proxmox' } & PveFacts) | ({ driver: 'lab' } & LabFacts);
/** The plan's steps name their driver, as the facts do, so apply hands each driver a plan of its own type. */
type LxcData = ({ driver: 'proxmox' } & Actions) | ({ driver: 'lab' } & LabActions);

function withDriver<D extends LxcData['driver'], P>(driver: D, p: Plan<P>): Plan<{ driver: D } & P> {
  return { ...p, data: p.data === undefined ? undefined : { driver, ...p.data } };
}

/** Loaded when a task uses it: most runs never provision, and every start would pay for https. */
const proxmox = async () => (await import('./proxmox/proxmox-driver.js')).proxmoxDriver;
const labDriver = async () => (await import('./proxmox/lab-driver.js')).labDriver;


export const proxmoxLxc = typedModule<ProxmoxLxcArgs, LxcFacts, LxcData>({
  name: 'proxmox_lxc',
  schema: proxmoxLxcSchema,
  controllerOnly: true,
  async read(ctx, args) {
    const a = resolveArgs(args);
    if (a.driver === 'lab') return { driver: 'lab', ...(await (await labDriver()).read(ctx, a)) };
    return { driver: 'proxmox', ...(await (await proxmox()).read(ctx, a)) };
  },
  plan(args, facts, input) {
    const a = resolveArgs(args);
    return facts.driver === 'lab' ? withDriver('lab', planLab(a, facts, input)) : withDriver('proxmox', planPve(a, facts, input));
  },
  async apply(ctx, args, plan) {
    const a = resolveArgs(args);
    const { data } = plan;
    if (data?.driver === 'lab') return (await labDriver()).apply(ctx, a, { ...plan, data });
    if (data?.driver === 'proxmox') return (await proxmox()).apply(ctx, a, { ...plan, data });
    throw new Error('proxmox_lxc: apply without the steps of its plan');
  },
});

registerModule(proxmoxLxc);
