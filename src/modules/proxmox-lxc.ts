/**
 * proxmox_lxc: create / start / stop / remove the LXC container a host lives in, so that
 * `lbrun playbooks/provision.yaml` takes a node from nothing to reachable over SSH.
 *
 * Runs on the controller (the container may not exist yet): no connection to the host is opened.
 * `driver: proxmox` (default) talks to the Proxmox VE API; `driver: lab` makes the same host in the
 * local lab (src/lab), so the same playbook provisions the lab for real.
 */
import { registerModule } from './registry.js';
import type { ModuleDefinition } from './types.js';
import { proxmoxLxcSchema, resolveArgs, type ProxmoxLxcArgs } from './proxmox/args.js';
import type { LxcDriver } from './proxmox/driver.js';

/** Loaded when a task uses it: most runs never provision, and every start would pay for https. */
async function driver(name: 'proxmox' | 'lab'): Promise<LxcDriver> {
  return name === 'lab' ? (await import('./proxmox/lab-driver.js')).labDriver : (await import('./proxmox/proxmox-driver.js')).proxmoxDriver;
}

export const proxmoxLxc: ModuleDefinition<ProxmoxLxcArgs> = {
  name: 'proxmox_lxc',
  schema: proxmoxLxcSchema,
  controllerOnly: true,
  async plan(ctx, args) {
    const a = resolveArgs(args);
    return (await driver(a.driver)).plan(ctx, a);
  },
  async apply(ctx, args, plan) {
    const a = resolveArgs(args);
    return (await driver(a.driver)).apply(ctx, a, plan);
  },
};

registerModule(proxmoxLxc);
