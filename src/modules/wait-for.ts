/**
 * wait_for: poll from the target host until a TCP port is open (started) or closed (stopped), using
 * bash's /dev/tcp (no extra packages). Changes nothing, so it reports ok; in check mode it does not
 * wait (the port may belong to a service an earlier task would start).
 */
import { quote } from '../connection/quote.js';
import { TaskError } from '../errors.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';

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
    `  [ "$open" = ${wantOpen ? 1 : 0} ] && { echo "reached $SECONDS"; exit 0; }`,
    `  [ "$SECONDS" -ge ${args.timeout ?? 300} ] && { echo "timeout $SECONDS"; exit 0; }`,
    '  sleep 0.5',
    'done',
  ]
    .filter(Boolean)
    .join('\n');
}

/** How the wait ended: the script prints "<open|timeout> <seconds>" and exits 0. */
export interface WaitFacts {
  reached: boolean;
  elapsed: number;
}

export function parseWait(stdout: string): WaitFacts {
  const m = /^(reached|timeout) (\d+)/m.exec(stdout);
  return { reached: m?.[1] === 'reached', elapsed: m ? Number(m[2]) : 0 };
}

const what = (args: WaitForArgs) => `${args.host ?? '127.0.0.1'}:${args.port} ${args.state === 'stopped' ? 'closed' : 'open'}`;

export const waitFor = typedModule<WaitForArgs, WaitFacts | undefined, undefined>({
  name: 'wait_for',
  schema: {
    type: 'object',
    properties: {
      host: { type: 'string', pattern: '^[A-Za-z0-9.:_-]+$' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      state: { enum: ['started', 'stopped'] },
      // at most ~11 days each, so that their sum stays within what a timer can hold
      timeout: { type: 'integer', minimum: 0, maximum: 1_000_000 },
      delay: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    },
    required: ['port'],
    additionalProperties: false,
  },
  // the wait is the fact; in check mode there is none (the port may belong to a service an earlier task would start)
  fact: (args, { check }) =>
    check
      ? undefined
      : {
          command: `bash -c ${quote(waitScript(args))}`,
          parse: parseWait,
          become: false,
          live: true,
          timeoutMs: ((args.timeout ?? 300) + (args.delay ?? 0) + 10) * 1000,
        },
  plan(args, facts, input) {
    if (!facts) return { changed: false, note: `would wait for ${what(args)}` };
    if (!facts.reached) throw new TaskError(`timed out after ${args.timeout ?? 300} s waiting for ${what(args)} on ${input.host}`);
    return { changed: false, note: `${what(args)} after ${facts.elapsed} s`, result: { elapsed: facts.elapsed } };
  },
});

registerModule(waitFor);
