/** hostname: the running host name and /etc/hostname (hostnamectl when systemd runs, else both by hand). */
import { quote } from '../connection/quote.js';
import { registerModule } from './registry.js';
import { typedModule } from './contract.js';

export interface HostnameArgs {
  name: string;
}

export interface HostnameFacts {
  /** `hostname` now. */
  running: string;
  /** /etc/hostname's first line ('' when there is none). */
  file: string;
}

export const hostname = typedModule<HostnameArgs, HostnameFacts, undefined>({
  name: 'hostname',
  schema: {
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$' } },
    required: ['name'],
    additionalProperties: false,
  },
  fact: () => ({
    command: 'hostname; cat /etc/hostname 2>/dev/null || true',
    parse(stdout) {
      const [running = '', file = ''] = stdout.split('\n').map((s) => s.trim());
      return { running, file };
    },
  }),
  plan(args, { running, file }, input) {
    const changed = running !== args.name || file !== args.name;
    if (!changed) return { changed };
    const n = quote(args.name);
    return {
      changed,
      change: `set host name ${running} -> ${args.name}`,
      diff: input.diff ? [{ path: '/etc/hostname', before: `${file}\n`, after: `${args.name}\n` }] : undefined,
      commands: [
        `if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null; then hostnamectl set-hostname ${n}; ` +
          `else printf '%s\\n' ${n} > /etc/hostname && hostname ${n}; fi`,
      ],
    };
  },
});

registerModule(hostname);
