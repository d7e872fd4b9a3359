// ssh2's Client class alone (ssh.ts): its index also loads the server, SFTP, key generation and the
// HTTP(S) agents, with Node's http, https and tls, none of which a run uses.
declare module 'ssh2/lib/client.js' {
  import type { Client } from 'ssh2';
  const ClientClass: typeof Client;
  export = ClientClass;
}
