/** hostname: the running host name and /etc/hostname (hostnamectl when systemd runs, else both by hand). */
import { quote } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { mustRun } from './support/host-run.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface HostnameArgs {
  name: string;
}

export const hostname: ModuleDefinition<HostnameArgs> = {
  name: 'hostname',
  readAhead: true,
  schema: {
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$' } },
    required: ['name'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const r = await mustRun(ctx, 'hostname; cat /etc/hostname 2>/dev/null || true', 'reading the host name');
    const [running = '', file = ''] = r.stdout.split('\n').map((s) => s.trim());
    const changed = running !== args.name || file !== args.name;
    const diff = ctx.diff && changed ? [{ path: '/etc/hostname', before: `${file}\n`, after: `${args.name}\n` }] : undefined;
    return { changed, msg: changed ? `${ctx.check ? 'would set' : 'set'} host name ${running} -> ${args.name}` : undefined, diff };
  },
  async apply(ctx, args, plan) {
    const n = quote(args.name);
    const script =
      `if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null; then hostnamectl set-hostname ${n}; ` +
      `else printf '%s\\n' ${n} > /etc/hostname && hostname ${n}; fi`;
    await mustRun(ctx, script, 'setting the host name');
    return { changed: true, msg: plan.msg };
  },
};

registerModule(hostname);
