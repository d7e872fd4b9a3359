/**
 * The lab's secrets and trust files, in the git-ignored `.lab/` folder at the repository root:
 * id_ed25519(.pub) (client key for root and lbrun), known_hosts, become_password,
 * hostkeys/<host>/ (each host's own host key, kept across down/up so known_hosts stays valid),
 * ca.crt/ca.key and tls/<backend>.crt/.key (the stand-in API servers' TLS).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labKeysDir } from './config.js';
import { exists, readText, writeAtomic } from './fsutil.js';
import { runOk } from './proc.js';

export interface LabKeys {
  dir: string;
  privateKey: string;
  publicKey: string;
  /** contents of id_ed25519.pub (one line) */
  publicKeyText: string;
  knownHosts: string;
  becomePassword: string;
  /** the lab CA that signed the stand-in API servers' certificates */
  caCert: string;
}

export function keyPaths(dir = labKeysDir()) {
  return {
    dir,
    privateKey: path.join(dir, 'id_ed25519'),
    publicKey: path.join(dir, 'id_ed25519.pub'),
    knownHosts: path.join(dir, 'known_hosts'),
    becomePasswordFile: path.join(dir, 'become_password'),
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    tlsDir: path.join(dir, 'tls'),
    hostKeysDir: path.join(dir, 'hostkeys'),
  };
}

/** Create (once) the client key pair, the become password and the CA. */
export async function ensureKeys(): Promise<LabKeys> {
  const p = keyPaths();
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  if (!(await exists(p.privateKey)) || !(await exists(p.publicKey))) {
    await rm(p.privateKey, { force: true });
    await rm(p.publicKey, { force: true });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lbrun-lab', '-f', p.privateKey]);
  }
  let password = (await readText(p.becomePasswordFile))?.trim();
  if (!password) {
    password = randomBytes(15).toString('base64url');
    await writeAtomic(p.becomePasswordFile, `${password}\n`, { mode: 0o600 });
  }
  if (!(await exists(p.caCert)) || !(await exists(p.caKey))) {
    await runOk('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', p.caKey, '-out', p.caCert, '-days', '3650', '-subj', '/CN=lbrun lab CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  return {
    dir: p.dir,
    privateKey: p.privateKey,
    publicKey: p.publicKey,
    publicKeyText: (await readFile(p.publicKey, 'utf8')).trim(),
    knownHosts: p.knownHosts,
    becomePassword: password,
    caCert: p.caCert,
  };
}

export interface HostKey {
  privateKey: string;
  publicKey: string;
}

/** The host key of one lab host: generated once per host, never shared. */
export async function ensureHostKey(name: string, address: string): Promise<HostKey> {
  const dir = path.join(keyPaths().hostKeysDir, name);
  const key = path.join(dir, 'ssh_host_ed25519_key');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!(await exists(key)) || !(await exists(`${key}.pub`))) {
    await rm(key, { force: true });
    await rm(`${key}.pub`, { force: true });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${name}`, '-f', key]);
  }
  await writeAtomic(path.join(dir, 'address'), `${address}\n`);
  return { privateKey: await readFile(key, 'utf8'), publicKey: (await readFile(`${key}.pub`, 'utf8')).trim() };
}

export async function forgetHostKey(name: string): Promise<void> {
  await rm(path.join(keyPaths().hostKeysDir, name), { recursive: true, force: true });
}

/** Rewrite .lab/known_hosts from every host key the lab knows: "ADDRESS ssh-ed25519 AAAA...". */
export async function writeKnownHosts(): Promise<void> {
  const p = keyPaths();
  const lines: string[] = [];
  let names: string[];
  try {
    names = (await readdir(p.hostKeysDir)).sort();
  } catch {
    names = [];
  }
  for (const n of names) {
    const address = (await readText(path.join(p.hostKeysDir, n, 'address')))?.trim();
    const pub = (await readText(path.join(p.hostKeysDir, n, 'ssh_host_ed25519_key.pub')))?.trim();
    if (!address || !pub) continue;
    const [type, data] = pub.split(/\s+/);
    lines.push(`${address} ${type} ${data}`);
  }
  const text = lines.length ? `${lines.join('\n')}\n` : '';
  if ((await readText(p.knownHosts)) !== text) await writeAtomic(p.knownHosts, text, { mode: 0o644 });
}

/** TLS key and certificate for one stand-in API server, signed by the lab CA (made once). */
export async function ensureServerCert(name: string, ips: string[]): Promise<{ cert: string; key: string }> {
  const p = keyPaths();
  await mkdir(p.tlsDir, { recursive: true, mode: 0o700 });
  const cert = path.join(p.tlsDir, `${name}.crt`);
  const key = path.join(p.tlsDir, `${name}.key`);
  const san = [
    `DNS:${name}`, 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
    ...ips.map((ip) => `IP:${ip}`), 'IP:127.0.0.1',
  ].join(',');
  const sanFile = path.join(p.tlsDir, `${name}.san`);
  if ((await readText(sanFile)) === san && (await exists(cert)) && (await exists(key))) return { cert, key };
  const csr = path.join(p.tlsDir, `${name}.csr`);
  const ext = path.join(p.tlsDir, `${name}.ext`);
  await runOk('openssl', [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', csr, '-subj', `/CN=${name}`,
  ]);
  await writeFile(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  await runOk('openssl', [
    'x509', '-req', '-in', csr, '-CA', p.caCert, '-CAkey', p.caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '3650', '-extfile', ext, '-out', cert,
  ]);
  await rm(csr, { force: true });
  await rm(ext, { force: true });
  await writeFile(sanFile, san);
  return { cert, key };
}
