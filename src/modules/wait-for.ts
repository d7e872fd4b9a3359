/**
 * wait_for: poll from the target host until a TCP port is open (started) or closed (stopped), using
 * bash's /dev/tcp (no extra packages). Changes nothing, so it reports ok; in check mode it does not
 * wait (the port may belong to a service an earlier task would start).
 */
import { quote } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { hostRun } from './support/host-run.js';
import type { ModuleDefinition, PlanResult } from './types.js';

export interface WaitForArgs {
  host?: string;
  port: number;
  state?: 'started' | 'stopped';
  timeout?: number;
  delay?: number;
}

export function waitScript(args: WaitForArgs): string {
  const host = args.host ?? '127.0.0.1';
  const wantOpen = (args.state ?? 'started') === 'started';
  const probe = `(exec 3<>/dev/tcp/${host}/${args.port}) 2>/dev/null`;
  // bash builtins ($SECONDS, /dev/tcp): the probe's subshell is the one fork per check
  return [
    args.delay ? `sleep ${args.delay}` : '',
    'SECONDS=0',
    'while :; do',
    `  if ${probe}; then open=1; else open=0; fi`,
    `  [ "$open" = ${wantOpen ? 1 : 0} ] && exit 0`,
    `  [ "$SECONDS" -ge ${args.timeout ?? 300} ] && exit 1`,
    '  sleep 0.5',
    'done',
  ]
    .filter(Boolean)
    .join('\n');
}

export const waitFor: ModuleDefinition<WaitForArgs> = {
  name: 'wait_for',
  schema: {
    type: 'object',
    properties: {
      host: { type: 'string', pattern: '^[A-Za-z0-9.:_-]+$' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      state: { enum: ['started', 'stopped'] },
      timeout: { type: 'integer', minimum: 0 },
      delay: { type: 'integer', minimum: 0 },
    },
    required: ['port'],
    additionalProperties: false,
  },
  async plan(ctx, args): Promise<PlanResult> {
    const what = `${args.host ?? '127.0.0.1'}:${args.port} ${args.state === 'stopped' ? 'closed' : 'open'}`;
    if (ctx.check) return { changed: false, msg: `would wait for ${what}` };
    const started = Date.now();
    const limit = ((args.timeout ?? 300) + (args.delay ?? 0) + 10) * 1000;
    const r = await hostRun(ctx, `bash -c ${quote(waitScript(args))}`, { become: false, timeoutMs: ctx.timeoutMs ?? limit });
    if (r.rc !== 0) throw new TaskError(`timed out after ${args.timeout ?? 300} s waiting for ${what} on ${ctx.host}`, { rc: r.rc, stderr: r.stderr });
    const elapsed = Math.round((Date.now() - started) / 1000);
    return { changed: false, msg: `${what} after ${elapsed} s`, result: { elapsed } };
  },
  async apply() {
    return { changed: false };
  },
};

registerModule(waitFor);
