/**
 * A throw-away CA and a server certificate for 127.0.0.1, made with openssl, for the FAKE Proxmox VE
 * API server. The CA file plays the role of /etc/pve/pve-root-ca.pem.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  dir: string;
  caFile: string;
  cert: Buffer;
  key: Buffer;
}

export function makeSelfSignedCert(dir = mkdtempSync(join(tmpdir(), 'fake-pve-tls-'))): TestCert {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Fake PVE test CA',
    '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  return { dir, caFile: f('ca.pem'), cert: readFileSync(f('server.pem')), key: readFileSync(f('server.key')) };
}
