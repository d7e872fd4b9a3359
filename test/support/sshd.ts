/**
 * A real OpenSSH server on loopback for tests: host key, client key, authorized_keys and a
 * known_hosts file generated in a fresh temp dir per call; a random free port on 127.0.0.x.
 * Users: root (key), and TEST_USER (key; sudo with TEST_USER_PASSWORD) for become tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionSettings } from '../../src/connection/types.js';

export const TEST_USER = 'lbrun-test';
export const TEST_USER_PASSWORD = "s3cr3t pa$$ 'word";

export interface Sshd {
  address: string;
  port: number;
  dir: string;
  clientKey: string;
  knownHosts: string;
  /** The server's host key line as known_hosts would store it (type + base64). */
  hostKeyLine: string;
  settings(overrides?: Partial<ConnectionSettings>): ConnectionSettings;
  stop(): Promise<void>;
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(address: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited: ${log()}`));
      const s = tcpConnect(port, address);
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen: ${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Create TEST_USER with sudo rights (password required) if missing; reset its password. */
export function ensureTestUser(): void {
  try {
    execFileSync('id', [TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', TEST_USER]);
  }
  execFileSync('chpasswd', [], { input: `${TEST_USER}:${TEST_USER_PASSWORD}\n` });
  writeFileSync(`/etc/sudoers.d/${TEST_USER}`, `${TEST_USER} ALL=(ALL:ALL) ALL\n`, { mode: 0o440 });
}

/**
 * isolateHostname: run sshd in its own UTS and mount namespace with a private /etc/hostname, so the
 * hostname module can really change the host name without touching this machine's.
 */
export async function startSshd(address = '127.0.0.2', opts: { isolateHostname?: boolean } = {}): Promise<Sshd> {
  ensureTestUser();
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-sshd-'));
  chmodSync(dir, 0o755);
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lbrun-test', '-f', file]);
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client_ed25519'));
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o644 });
  const port = await freePort(address);
  const hostKeyLine = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[${address}]:${port} ${hostKeyLine}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
      // bash started by sshd sources ~/.bashrc unless SHLVL says it is nested; root's on the test
      // machines runs `pyenv init` (0.3-2.5 s per command), which no node has
      'SetEnv SHLVL=1',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sshdArgv = ['/usr/sbin/sshd', '-D', '-e', '-f', config];
  let argv = sshdArgv;
  if (opts.isolateHostname) {
    const hostnameFile = join(dir, 'hostname');
    writeFileSync(hostnameFile, 'lbrun-isolated\n');
    const inner = `hostname lbrun-isolated && mount --bind ${hostnameFile} /etc/hostname && exec "$@"`;
    argv = ['unshare', '--uts', '--mount', '--propagation', 'private', 'sh', '-c', inner, 'sh', ...sshdArgv];
  }
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  await waitForPort(address, port, child, () => log);
  const clientKey = join(dir, 'client_ed25519');
  return {
    address,
    port,
    dir,
    clientKey,
    knownHosts,
    hostKeyLine,
    settings: (overrides = {}) => ({
      kind: 'ssh',
      address,
      port,
      user: 'root',
      privateKeyFile: clientKey,
      knownHostsFile: knownHosts,
      connectTimeout: 5,
      connectRetries: 0,
      become: false,
      ...overrides,
    }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The inventory lines that reach this sshd, for a host entry at the given indent. */
export function sshdHostVars(sshd: Sshd, indent = '      '): string {
  return [`lbrun_host: ${sshd.address}`, `lbrun_port: ${sshd.port}`, `lbrun_ssh_key: ${sshd.clientKey}`, `lbrun_known_hosts: ${sshd.knownHosts}`]
    .map((l) => `${indent}${l}\n`)
    .join('');
}
