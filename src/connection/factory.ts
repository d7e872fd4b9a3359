/** One connection per host per run, by kind (ssh or local). */
import { LocalConnection } from './local.js';
import { SshConnection } from './ssh.js';
import type { Connection, ConnectionSettings } from './types.js';

export interface ConnectionOptions {
  /** --accept-new-host-keys: trust and record an unknown host key (a changed key is always refused). */
  acceptNewHostKeys?: boolean;
  /** Password for sudo (LBRUN_BECOME_PASSWORD or a prompt); never logged. */
  becomePassword?: string;
}

export function createConnection(host: string, settings: ConnectionSettings, opts: ConnectionOptions = {}): Connection {
  if (settings.kind === 'local') return new LocalConnection(host, settings, opts.becomePassword);
  return new SshConnection(host, settings, opts);
}
