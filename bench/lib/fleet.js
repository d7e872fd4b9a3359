/**
 * Scenario B's hosts: N OpenSSH servers, each on its own loopback address (127.77.X.Y, port 2200),
 * sharing one host key and one client key. Each "host" is the controller itself, so the playbooks
 * write under /tmp/lbrun-bench/<host>/. Started and stopped by PID; nothing outside loopback.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { trackServer } from './proc.js';

export const FLEET_DIR = '/tmp/lbrun-bench-fleet';
export const FLEET_PORT = 2200;
export const WORK_ROOT = '/tmp/lbrun-bench';
/**
 * The user both tools log in as: its shell is /bin/sh (dash), which reads no start-up file. (As
 * root, sshd would start root's bash, which sources ~/.bashrc for every command: on a developer's
 * machine that can cost more than the command itself and would measure the machine, not the tools.)
 */
export const FLEET_USER = 'lbrun-bench';

function ensureUser() {
  try {
    execFileSync('id', [FLEET_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--create-home', '--home-dir', `/var/lib/${FLEET_USER}`, '--shell', '/bin/sh', FLEET_USER]);
  }
  // no password, but not locked ("!"): without PAM, sshd refuses even key logins to locked accounts
  execFileSync('usermod', ['-p', '*', FLEET_USER]);
}

/** Address of the i-th host (0-based): 127.77.0.1 ... 127.77.0.250, 127.77.1.1 ... */
export function fleetAddress(i) {
  return `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export function fleetName(i) {
  return `h${String(i + 1).padStart(3, '0')}`;
}

function waitPort(address, port, child, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd on ${address} exited (${child.exitCode})`));
      const s = connect(port, address);
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > end) reject(new Error(`sshd on ${address}:${port} did not listen`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Start N sshd. Returns { hosts: [{name, address}], user, clientKey, knownHosts, stop() }.
 * @param {number} n
 */
export async function startFleet(n) {
  ensureUser();
  rmSync(FLEET_DIR, { recursive: true, force: true });
  mkdirSync(join(FLEET_DIR, 'conf'), { recursive: true, mode: 0o755 });
  const keygen = (file) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lbrun-bench', '-f', file]);
  const hostKey = join(FLEET_DIR, 'host_ed25519');
  const clientKey = join(FLEET_DIR, 'client_ed25519');
  keygen(hostKey);
  keygen(clientKey);
  const authorized = join(FLEET_DIR, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  const keyLine = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const hosts = Array.from({ length: n }, (_, i) => ({ name: fleetName(i), address: fleetAddress(i) }));
  const knownHosts = join(FLEET_DIR, 'known_hosts');
  writeFileSync(knownHosts, hosts.map((h) => `[${h.address}]:${FLEET_PORT} ${keyLine}\n`).join(''));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const children = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', resolve);
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(FLEET_DIR, { recursive: true, force: true });
  };
  try {
    for (const h of hosts) {
      const conf = join(FLEET_DIR, 'conf', `${h.name}.conf`);
      writeFileSync(
        conf,
        [
          `Port ${FLEET_PORT}`,
          `ListenAddress ${h.address}`,
          `HostKey ${hostKey}`,
          `AuthorizedKeysFile ${authorized}`,
          `PidFile ${join(FLEET_DIR, 'conf', `${h.name}.pid`)}`,
          'StrictModes no',
          'UsePAM no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          `AllowUsers ${FLEET_USER}`,
          // every tool opens at most a few connections per host, but all hosts at once
          'MaxStartups 200:30:400',
          'MaxSessions 20',
          'UseDNS no',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
      trackServer(child);
      children.push(child);
    }
    await Promise.all(hosts.map((h, i) => waitPort(h.address, FLEET_PORT, children[i])));
  } catch (e) {
    await stop();
    throw e;
  }
  return { hosts, user: FLEET_USER, clientKey, knownHosts, stop };
}
