/** A view of a connection whose commands get their options adjusted; everything else passes through. */
import type { Connection, ExecOptions } from './types.js';

export function withRunOptions(conn: Connection, adjust: (opts: ExecOptions) => ExecOptions): Connection {
  return {
    get host() {
      return conn.host;
    },
    get stats() {
      return conn.stats;
    },
    connect: () => conn.connect(),
    run: (command: string, opts: ExecOptions = {}) => conn.run(command, adjust(opts)),
    put: (path, data, opts) => conn.put(path, data, opts),
    get: (path, opts) => conn.get(path, opts),
    close: () => conn.close(),
  };
}
