/**
 * What the benchmark needs from Debian, installed idempotently through apt: ansible-core (the
 * tool measured against), time (/usr/bin/time, for peak RSS), openssh-server (/usr/sbin/sshd for
 * scenario B), and what the lab needs (.ci/lab-deps.sh, the lab's own script).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { must, timed } from './proc.js';
import { ROOT } from './tools.js';

const NEEDED = [
  { pkg: 'ansible-core', file: '/usr/bin/ansible-playbook' },
  { pkg: 'time', file: '/usr/bin/time' },
  { pkg: 'openssh-server', file: '/usr/sbin/sshd' },
];

export async function ensureDeps(log) {
  // the lab's own list (debootstrap, dpkg-dev, ...): idempotent, quick when all are present
  await must('sh', [join(ROOT, '.ci', 'lab-deps.sh')]);
  const missing = NEEDED.filter((n) => !existsSync(n.file)).map((n) => n.pkg);
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '-q', '-o', 'DPkg::Lock::Timeout=300', '--no-install-recommends', ...missing];
  const first = await timed('apt-get', args, { env });
  if (first.code !== 0) {
    await must('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=300'], { env });
    await must('apt-get', args, { env });
  }
}

/** "ansible-playbook [core 2.14.18]" */
export async function ansibleVersion() {
  const r = await timed('ansible-playbook', ['--version']);
  return r.stdout.split('\n')[0]?.trim() ?? 'unknown';
}
