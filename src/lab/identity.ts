/**
 * What makes a host itself, written into its root through the overlay (so copy-up keeps owners and
 * modes): hostname, /etc/hosts, machine-id, its own SSH host key, root's and lbrun's authorized
 * key, lbrun's password (for sudo), and the lab CA. Idempotent: only differing files are written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, chmod, chown, stat } from 'node:fs/promises';
import path from 'node:path';
import { BACKENDS, DEFAULT_HOSTS, HOSTS_DIR } from './config.js';
import { readText, sha, writeAtomic } from './fsutil.js';
import type { HostKey, LabKeys } from './keys.js';
import { runOk } from './proc.js';

export interface IdentityInput {
  name: string;
  address: string;
  keys: LabKeys;
  hostKey: HostKey;
}

async function put(root: string, rel: string, data: string, mode: number, uid = 0, gid = 0): Promise<boolean> {
  const p = path.join(root, rel);
  if ((await readText(p)) === data) {
    const st = await stat(p);
    if ((st.mode & 0o7777) === mode && st.uid === uid && st.gid === gid) return false;
  }
  await writeAtomic(p, data, { mode, uid, gid });
  return true;
}

async function dir(root: string, rel: string, mode: number, uid = 0, gid = 0): Promise<void> {
  const p = path.join(root, rel);
  await mkdir(p, { recursive: true });
  await chmod(p, mode);
  await chown(p, uid, gid);
}

function passwdEntry(passwd: string, user: string): { uid: number; gid: number; home: string } | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === user) return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
  }
  return null;
}

/**
 * Write the identity into the host root seen at `root` (a path through /proc/PID/root).
 * Returns true when the SSH host key changed (sshd must then be restarted if it runs).
 */
export async function writeIdentity(root: string, input: IdentityInput): Promise<boolean> {
  const { name, address, keys, hostKey } = input;
  await put(root, 'etc/hostname', `${name}\n`, 0o644);
  const hosts = [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${name}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    '',
    '# lbrun lab',
    `${address}\t${name}`,
    ...DEFAULT_HOSTS.filter((h) => h.name !== name).map((h) => `${h.address}\t${h.name}`),
    ...BACKENDS.map((b) => `${b.address}\t${b.name}`),
    '',
  ].join('\n');
  await put(root, 'etc/hosts', hosts, 0o644);
  const machineId = (await readText(path.join(root, 'etc/machine-id')))?.trim();
  if (!machineId || !/^[0-9a-f]{32}$/.test(machineId)) {
    await put(root, 'etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  }
  const keyChanged = await put(root, 'etc/ssh/ssh_host_ed25519_key', hostKey.privateKey, 0o600);
  await put(root, 'etc/ssh/ssh_host_ed25519_key.pub', `${hostKey.publicKey}\n`, 0o644);

  const authorized = `${keys.publicKeyText}\n`;
  await dir(root, 'root/.ssh', 0o700);
  await put(root, 'root/.ssh/authorized_keys', authorized, 0o600);

  const passwd = (await readText(path.join(root, 'etc/passwd'))) ?? '';
  const lbrun = passwdEntry(passwd, 'lbrun');
  if (lbrun) {
    const home = lbrun.home.replace(/^\//, '');
    await dir(root, `${home}/.ssh`, 0o700, lbrun.uid, lbrun.gid);
    await put(root, `${home}/.ssh/authorized_keys`, authorized, 0o600, lbrun.uid, lbrun.gid);
    await setPassword(root, name, 'lbrun', keys.becomePassword);
  }
  await put(root, 'etc/lbrun-lab/ca.crt', (await readText(keys.caCert)) ?? '', 0o644);
  return keyChanged;
}

/** Set a user's password in /etc/shadow (SHA-512 crypt via openssl), only when it changed. */
async function setPassword(root: string, host: string, user: string, password: string): Promise<void> {
  const marker = path.join(HOSTS_DIR, host, `password-${user}.sha`);
  const want = sha(password);
  const shadowPath = path.join(root, 'etc/shadow');
  const shadow = (await readText(shadowPath)) ?? '';
  const line = shadow.split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) return;
  if ((await readText(marker))?.trim() === want && line.split(':')[1].startsWith('$6$')) return;
  const hash = (await runOk('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` })).trim();
  const next = shadow
    .split('\n')
    .map((l) => {
      if (!l.startsWith(`${user}:`)) return l;
      const f = l.split(':');
      f[1] = hash;
      return f.join(':');
    })
    .join('\n');
  const st = await stat(shadowPath);
  await writeAtomic(shadowPath, next, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  await writeAtomic(marker, `${want}\n`, { mode: 0o600 });
}
